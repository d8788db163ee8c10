/**
 * The `plan` use case: validate a workflow, observe the live world read-only, and plan — what
 * `drainctl plan` prints and `drainctl run` executes. Changes nothing: invalid input stops before
 * the first cloud call, and observing only reads. And the way back from a journaled plan to the
 * same plan, for `resume`.
 */
import { relative, resolve, sep } from 'node:path';
import type { DrainctlEnvironment } from '../config/index.js';
import { sha256Hex } from '../engine/sha256.js';
import { InvalidInputError } from '../errors/index.js';
import { getLogger, type Logger, registerSecret } from '../log/index.js';
import {
  type FleetSurvey,
  type Plan,
  planFleetRollout,
  planRollout,
  surveyFleet,
  type ZeroWeightChoices,
} from '../plan/index.js';
import type { CloudCallEvent, RateBuckets } from '../ports/index.js';
import { checkLogFormat, logFormatGivesRequestTime } from '../probes/index.js';
import { carryOverOrder } from '../schedule/index.js';
import {
  type Environment,
  type FleetWorkflowSpec,
  isFleetWorkflow,
  type LoadedAnyWorkflow,
  type LoadedWorkflow,
} from '../workflow/index.js';
import { observationPorts, workflowObservationPorts } from './composition-root.js';
import { type FleetPorts, observeFleet } from './observe-fleet.js';
import { type InventoryPorts, observeInventory } from './observe-inventory.js';
import { loadAnyWorkflow, loadWorkflow } from './workflow-file.js';

export interface PlanWorkflowOptions {
  /** `${VAR}` values and the default region. */
  env: Readonly<Record<string, string | undefined>>;
  /** The workflow's path in the plan is relative to this, so hashes do not depend on `./`. */
  cwd: string;
  environment: DrainctlEnvironment;
  logger?: Logger;
  /** Observe through these instead of the cloud adapters the environment selects. */
  ports?: InventoryPorts & Partial<Pick<FleetPorts, 'attachments'>>;
  /** The operator's word on servers found at weight 0 (`--restore-weight`, `--leave-at-zero`). */
  choices?: ZeroWeightChoices;
  /** Told of every cloud request's answer while observing (`drainctl serve`'s metrics). */
  onCloudCall?: (event: CloudCallEvent) => void;
  /** Replicas: observe within the API rate limits every replica shares (the database's buckets). */
  rateBuckets?: RateBuckets;
}

/**
 * Load, validate, observe and plan one workflow file — what `plan` prints and `run` executes.
 *
 * @example const { plan } = await planWorkflowFile('workflows/kernel-patch.yaml', options);
 */
export async function planWorkflowFile(
  file: string,
  options: PlanWorkflowOptions,
): Promise<{ plan: Plan; workflow: LoadedWorkflow }> {
  return planLoadedWorkflow(file, await loadWorkflow(file, options.env), options);
}

/** What `drainctl plan` makes of a workflow: a plan of one balancer, or a fleet's survey. */
export type PlannedWorkflow =
  | { kind: 'plan'; plan: Plan; workflow: LoadedWorkflow }
  | { kind: 'fleet'; survey: FleetSurvey; plan: Plan; workflow: LoadedAnyWorkflow };

/**
 * Plan a workflow of either kind: a single-balancer workflow as planWorkflowFile does; a fleet
 * workflow (no loadBalancer) surveyed — every selected server with all its attachments.
 *
 * @example const planned = await planAnyWorkflowFile('workflows/fleet-night.yaml', options);
 */
export async function planAnyWorkflowFile(
  file: string,
  options: PlanWorkflowOptions,
): Promise<PlannedWorkflow> {
  const workflow = await loadAnyWorkflow(file, options.env);
  const { spec } = workflow;
  if (isFleetWorkflow(spec)) {
    return { kind: 'fleet', ...(await planFleetWorkflow(file, spec, workflow, options)), workflow };
  }
  return { kind: 'plan', ...(await planLoadedWorkflow(file, { ...workflow, spec }, options)) };
}

/** A fleet observed once: its survey, and the plan `run` executes made from the same observation. */
async function planFleetWorkflow(
  file: string,
  spec: FleetWorkflowSpec,
  workflow: LoadedAnyWorkflow,
  options: PlanWorkflowOptions,
): Promise<{ survey: FleetSurvey; plan: Plan }> {
  for (const secret of workflow.secrets) registerSecret(secret);
  for (const warning of workflow.warnings) (options.logger ?? getLogger()).warn(warning);
  const given = options.ports;
  const ports: FleetPorts =
    given?.attachments !== undefined
      ? { ...given, attachments: given.attachments }
      : observationPorts(
          options.environment,
          spec.region,
          options.logger,
          options.onCloudCall,
          options.rateBuckets,
        );
  const observed = await observeFleet(spec, ports);
  const source = { file: workflowPathForPlan(file, options.cwd), text: workflow.source.text };
  const survey = surveyFleet(spec, observed, source, sha256Hex);
  return { survey, plan: planFleetRollout(spec, observed, source, sha256Hex) };
}

async function planLoadedWorkflow(
  file: string,
  workflow: LoadedWorkflow,
  options: PlanWorkflowOptions,
): Promise<{ plan: Plan; workflow: LoadedWorkflow }> {
  for (const secret of workflow.secrets) registerSecret(secret);
  for (const warning of workflow.warnings) (options.logger ?? getLogger()).warn(warning);
  const ports =
    options.ports ??
    workflowObservationPorts(
      workflow.spec,
      options.environment,
      options.env,
      options.logger,
      options.onCloudCall,
      options.rateBuckets,
    );
  const inventory = await observeInventory(workflow.spec, ports, { file });
  const plan = planRollout(
    workflow.spec,
    inventory,
    { file: workflowPathForPlan(file, options.cwd), text: workflow.source.text },
    sha256Hex,
    options.choices ?? {},
  );
  checkAccessLogFormat(plan, workflow, file);
  checkBakeLatency(plan, file);
  return { plan, workflow };
}

/**
 * A latency limit the bake could not judge would pass every bake unseen: refused unless every
 * server's access log is read with a format that logs `$request_time`.
 */
function checkBakeLatency(plan: Plan, file: string): void {
  for (const step of plan.steps) {
    if (step.action !== 'canary.bake' || step.params.maxLatencyMs === undefined) continue;
    const blind = step.params.watch.length === 0 ? 'no access log is read' : undefined;
    const untimed = step.params.watch.find(
      (w) => w.probe.kind !== 'access-log' || !logFormatGivesRequestTime(w.probe.format),
    );
    const found =
      blind ??
      (untimed === undefined
        ? undefined
        : untimed.probe.kind === 'access-log'
          ? `the access log format of ${untimed.serverId} has no $request_time`
          : `${untimed.serverId} is watched by its ${untimed.probe.kind}, not an access log`);
    if (found === undefined) return;
    const expected =
      'a drain probe of kind access-log whose format logs $request_time (the bake judges latency from it), or no maxLatencyMs';
    throw new InvalidInputError(
      `${file}: rollout.canary.maxLatencyMs: expected ${expected}, found ${found}`,
      {
        file,
        path: 'rollout.canary.maxLatencyMs',
        expected,
        found,
      },
    );
  }
}

/**
 * The access-log format the run's probes will parse, with the client address the plan resolved
 * for them (`auto` behind an http listener is X-Forwarded-For): refused now, naming the
 * workflow's path, rather than when the first probe opens mid-run.
 */
function checkAccessLogFormat(plan: Plan, workflow: LoadedWorkflow, file: string): void {
  const spec = workflow.spec.drain.probe;
  if (spec.kind !== 'access-log') return;
  const path = typeof spec.format === 'string' ? 'drain.probe.format' : 'drain.probe.format.nginx';
  for (const step of plan.steps) {
    if (step.action !== 'node.wait-drained' || step.params.probe.kind !== 'access-log') continue;
    // Every node's probe reads the same format with the same client address.
    const probe = step.params.probe;
    checkLogFormat(probe.format, probe.filter.clientAddress, { file, path });
    return;
  }
}

/** `./workflows/x.yaml` and `workflows/x.yaml` are the same file in a plan (and its hash). */
export function workflowPathForPlan(file: string, cwd: string): string {
  const absolute = resolve(cwd, file);
  const inside = relative(cwd, absolute);
  const shown = inside.startsWith('..') || inside === '' ? absolute : inside;
  return shown.split(sep).join('/');
}

/**
 * The same plan with `first` servers moved to the front of the rollout (a schedule's carry-over),
 * made by the planner from the very inventory the plan was made from: the runbook, the batches
 * and the new sha256 are the planner's own, not an edit of the plan. `first` ids no longer in
 * the plan are dropped; with none left, the plan is returned as it is.
 */
export function planWithFirst(
  plan: Plan,
  workflow: LoadedWorkflow,
  first: readonly string[],
): Plan {
  // The rollout's order as planned (its steps), then servers without steps of their own.
  const order = [
    ...new Set([
      ...plan.steps.flatMap((s) => (s.phase === 'rollout' && s.node !== undefined ? [s.node] : [])),
      ...plan.nodes.map((node) => node.id),
    ]),
  ];
  const front = first.filter((id) => order.includes(id));
  if (front.length === 0) return plan;
  const spec = {
    ...workflow.spec,
    rollout: { ...workflow.spec.rollout, order: carryOverOrder(order, front) },
  };
  return planRollout(
    spec,
    plan.inventory,
    { file: plan.workflow.file, text: workflow.source.text },
    sha256Hex,
    plan.zeroWeightChoices ?? {},
  );
}

export interface RecoverPlanOptions {
  /** `${VAR}` values the workflow's commands use. */
  env: Environment;
  /**
   * The workflow's journaled path is relative to this; without it, to the process's working
   * directory (and an unreadable file is named as journaled).
   */
  cwd?: string;
}

/**
 * A journaled plan with a masked secret is rebuilt from its workflow and the very inventory it
 * was made from (the planner is pure), so the same plan — same sha256 — comes back. A new
 * process: the secrets the plan's commands use are registered before it runs them.
 */
export async function recoverPlan(journaled: Plan, options: RecoverPlanOptions): Promise<Plan> {
  const file =
    options.cwd === undefined
      ? journaled.workflow.file
      : resolve(options.cwd, journaled.workflow.file);
  const workflow = await loadWorkflow(file, options.env);
  for (const secret of workflow.secrets) registerSecret(secret);
  return planRollout(
    workflow.spec,
    journaled.inventory,
    { file: journaled.workflow.file, text: workflow.source.text },
    sha256Hex,
    journaled.zeroWeightChoices ?? {},
  );
}
