/**
 * `drainctl plan <workflow> [--json]`: validate the workflow, observe the live world read-only,
 * and print the runbook (or the plan as one JSON document). Changes nothing: invalid input
 * stops before the first cloud call, and observing only reads.
 */
import { relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { cloudPortsOptionsFrom, createCloudPorts } from '../../adapters/index.js';
import type { DrainctlEnvironment } from '../../config/index.js';
import { type InventoryPorts, observeInventory } from '../../engine/observe-inventory.js';
import { sha256Hex } from '../../engine/sha256.js';
import { getLogger, type Logger, registerSecret } from '../../log/index.js';
import { type Plan, planRollout, renderRunbook, type ZeroWeightChoices } from '../../plan/index.js';
import { checkLogFormat } from '../../probes/index.js';
import { type LoadedWorkflow, loadWorkflow } from '../../spec/index.js';
import type { CliContext } from '../context.js';
import {
  addZeroWeightFlags,
  type ZeroWeightFlags,
  zeroWeightChoices,
} from '../zero-weight-flags.js';

export interface PlanWorkflowOptions {
  /** `${VAR}` values and the default region. */
  env: Readonly<Record<string, string | undefined>>;
  /** The workflow's path in the plan is relative to this, so hashes do not depend on `./`. */
  cwd: string;
  environment: DrainctlEnvironment;
  logger?: Logger;
  /** Observe through these instead of the cloud adapters the environment selects. */
  ports?: InventoryPorts;
  /** The operator's word on servers found at weight 0 (`--restore-weight`, `--leave-at-zero`). */
  choices?: ZeroWeightChoices;
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
  const workflow = await loadWorkflow(file, options.env);
  for (const secret of workflow.secrets) registerSecret(secret);
  for (const warning of workflow.warnings) (options.logger ?? getLogger()).warn(warning);
  const ports =
    options.ports ??
    createCloudPorts(
      cloudPortsOptionsFrom(options.environment, workflow.spec.region, {
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      }),
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
  return { plan, workflow };
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

export function registerPlan(program: Command, ctx: CliContext): void {
  const command = program
    .command('plan')
    .description('print the runbook drainctl would execute for a workflow; changes nothing')
    .argument('<workflow>', 'workflow YAML file')
    .option('--json', 'print the plan as one JSON document, with its sha256');
  addZeroWeightFlags(command)
    .addHelpText(
      'after',
      '\nExit codes: 0 plan printed, 3 invalid workflow (the message names the file and the path inside it).',
    )
    .action(async (workflow: string, options: { json?: boolean } & ZeroWeightFlags) => {
      const { plan } = await planWorkflowFile(workflow, {
        env: process.env,
        cwd: process.cwd(),
        environment: ctx.environment(),
        logger: ctx.logger,
        choices: zeroWeightChoices(options),
      });
      ctx.logger.debug({ workflow, sha256: plan.sha256, steps: plan.steps.length }, 'planned');
      if (options.json) ctx.stdout.json(plan);
      else ctx.stdout.line(renderRunbook(plan).trimEnd());
    });
}
