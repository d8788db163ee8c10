/**
 * The planner: a validated workflow and an observation of the live world in, the plan out —
 * every step with its parameters resolved, its inverse, its expected duration, and the plan's
 * sha256. Pure: no I/O, no clock, no randomness; the same inputs always give the same plan.
 * Anything that makes the workflow impossible against this world is one InvalidInputError
 * (exit 3) naming the paths, never a silently smaller plan.
 */

import { describeJudged, judgedHealth } from '../listener/index.js';
import type { WorkflowSpec } from '../workflow/index.js';
import { planAlertGate } from './alert-gate-plan.js';
import { checkZeroChoices, describeAtZero, normalizeZeroChoices } from './at-zero.js';
import { bakeStep } from './bake-step.js';
import { balancerView, effectiveListeners } from './balancer-view.js';
import { type BatchCandidate, cutBatches } from './batches.js';
import { type Budget, resolveBudget } from './budget.js';
import { planDns } from './dns-cutover-steps.js';
import { type FleetNode, type OtherBackend, resolveFleet } from './fleet.js';
import { nodeLabel } from './host-target.js';
import { checkPlanInputs } from './input-checks.js';
import { nodeSteps } from './node-steps.js';
import type { PlanContext } from './plan-context.js';
import { hashPlan, hashWorkflowText, type Sha256Hex } from './plan-hash.js';
import { PlanProblems } from './plan-problems.js';
import { prepareSteps } from './prepare-steps.js';
import { rampNotes } from './ramp-notes.js';
import { checkRedisInventory } from './redis-inventory.js';
import { countedInEstimates } from './rollback-steps.js';
import { checkSavedWeightRoom } from './saved-weight-room.js';
import { describeSavedWeight } from './saved-weight-tag.js';
import { type SelfRunBalancerSection, selfRunBalancer } from './self-run-balancer.js';
import { numberSteps, type StepDraft } from './step-draft.js';
import {
  type ObservedInventory,
  PLAN_SCHEMA_VERSION,
  type Plan,
  type ZeroWeightChoices,
} from './types.js';

/** The workflow file the spec came from: its name (as shown) and text (hashed into the plan). */
export interface PlanSource {
  file: string;
  text: string;
}

/**
 * Plan a rollout. `sha256` hashes the plan and the workflow text (the planner is pure: callers
 * hand in node:crypto's, src/engine/sha256.ts). `choices` are the operator's word on servers
 * found at weight 0 (`--restore-weight`, `--leave-at-zero`); they become part of the plan.
 *
 * @example
 *   const { spec, source } = await loadWorkflow('workflows/kernel-patch.yaml', process.env);
 *   const plan = planRollout(spec, await observeInventory(spec, ports), source, sha256Hex);
 *   console.log(renderRunbook(plan));
 */
export function planRollout(
  spec: WorkflowSpec,
  inventory: ObservedInventory,
  source: PlanSource,
  sha256: Sha256Hex,
  choices: ZeroWeightChoices = {},
): Plan {
  const problems = new PlanProblems();
  if (inventory.region !== spec.region) {
    problems.add(['region'], `the region observed (${inventory.region})`, spec.region);
  }
  if (spec.inventory?.redis !== undefined) {
    checkRedisInventory(spec.inventory.redis, inventory.redis, problems);
  }
  const balancer = balancerView(spec, inventory, problems);
  const ctx: PlanContext = {
    spec,
    inventory,
    balancer,
    listeners: effectiveListeners(spec, balancer),
    problems,
    choices,
    sha256,
  };
  const { nodes, others } = resolveFleet(ctx);
  checkPlanInputs(ctx, nodes);
  const dns = planDns(ctx, nodes);
  const prepare = prepareSteps(ctx, nodes, dns.needsCutover);
  if (prepare.provesFleetHealthy) for (const node of nodes) node.healthy = true;
  const budget = resolveBudget(spec.rollout, nodes, others);
  checkSavedWeightRoom(ctx, nodes, budget);
  // A server left at weight 0 as found has no steps: it is named, not maintained.
  const batches = batchNodes(
    ctx,
    nodes.filter((node) => node.atZero?.action !== 'leave'),
    budget,
    atWeightZero(nodes, others),
  );
  problems.throwIfAny(source);
  checkZeroChoices(
    choices,
    nodes.map((node) => ({
      id: node.id,
      label: nodeLabel(node),
      ...(node.observedWeight === undefined ? {} : { observedWeight: node.observedWeight }),
      bringIntoService: node.bringIntoService,
    })),
  );
  const zeroWeightChoices = normalizeZeroChoices(choices);

  const byId = new Map(nodes.map((node) => [node.id, node]));
  const rollout: StepDraft[] = [];
  const batchSeconds: number[] = [];
  batches.forEach((ids, offset) => {
    const perNode = ids.map((id) => nodeSteps(ctx, byId.get(id) as FleetNode, offset + 1, budget));
    rollout.push(...perNode.flat());
    batchSeconds.push(Math.max(0, ...perNode.map((steps) => sum(steps))));
    // The canary bakes before any other batch begins; with one batch there is nothing to spare.
    if (offset === 0 && batches.length > 1) {
      const bake = bakeStep(ctx, nodes, ids);
      if (bake !== undefined) {
        rollout.push(bake);
        batchSeconds[0] = (batchSeconds[0] ?? 0) + bake.expectedSeconds;
      }
    }
  });
  problems.throwIfAny(source);

  const notes = [
    ...prepare.notes,
    ...dns.cutover.notes,
    ...fleetNotes(nodes),
    ...rampNotes(ctx.listeners, [...prepare.steps, ...rollout]),
    ...dns.finish.notes,
  ];
  const steps = numberSteps([
    ...prepare.steps,
    ...dns.cutover.steps,
    ...rollout,
    ...dns.finish.steps,
  ]);
  const batchOf = new Map(
    batches.flatMap((ids, offset) => ids.map((id) => [id, offset + 1] as const)),
  );
  const unhashed: Omit<Plan, 'sha256'> = {
    schemaVersion: PLAN_SCHEMA_VERSION,
    workflow: { name: spec.name, file: source.file, sha256: hashWorkflowText(source.text, sha256) },
    region: spec.region,
    loadBalancer:
      typeof balancer.id === 'string'
        ? { id: balancer.id, name: balancer.name, create: false, ...selfRunSection(spec) }
        : { name: balancer.name, create: true },
    nodes: nodes.map((node) => ({
      id: node.id,
      name: node.name,
      ...(node.instance.privateIp === undefined ? {} : { address: node.instance.privateIp }),
      ...(node.group === undefined ? {} : { group: node.group }),
      batch: batchOf.get(node.id) ?? 0,
      weight: node.weightAtRollout,
      ...(node.atZero === undefined ? {} : { atZero: node.atZero }),
      ...(node.belowSaved === undefined ? {} : { belowSaved: node.belowSaved }),
    })),
    batches: batches.map((ids, offset) => ({ index: offset + 1, nodes: ids })),
    steps,
    stopOnFailure: spec.rollout.stopOnFailure,
    estimate: {
      totalSeconds:
        sum([...prepare.steps, ...dns.cutover.steps]) +
        batchSeconds.reduce((total, seconds) => total + seconds, 0) +
        sum(dns.finish.steps),
    },
    rollout: {
      maxUnavailable: budget.maxUnavailable,
      minHealthy: budget.minHealthy,
      ...(spec.rollout.window === undefined ? {} : { windowEnd: spec.rollout.window.end }),
    },
    notes,
    ...(zeroWeightChoices === undefined ? {} : { zeroWeightChoices }),
    ...(spec.alertGate === undefined ? {} : { alertGate: planAlertGate(spec.alertGate) }),
    inventory,
  };
  // A plan is data that leaves the process (journal, --json): no object may appear twice in it
  // (a shared reference would read as a cycle to serialisers that guard against them), and it
  // must be exactly what JSON carries. structuredClone would keep shared objects shared.
  const plan = JSON.parse(JSON.stringify(unhashed)) as typeof unhashed;
  return { ...plan, sha256: hashPlan(plan, sha256) };
}

/** Which listeners the balancer's health was judged on (stopped ones, checks off: not). */
function judgedOn(ctx: PlanContext): string {
  if (!ctx.balancer.exists) return '';
  return `; ${describeJudged(judgedHealth(ctx.balancer.health, ctx.balancer.observedListeners))}`;
}

/**
 * Backends on the balancer at weight 0 when the rollout starts, as the budget problem names
 * them: `i-emu-web-2 (web-2), left there by run r-… (weight 100 saved on the balancer)`.
 */
function atWeightZero(nodes: readonly FleetNode[], others: readonly OtherBackend[]): string[] {
  return [
    ...nodes
      .filter((node) => node.attached && node.weightAtRollout === 0 && !node.bringIntoService)
      .map((node) => {
        const { saved } = node;
        if (saved === undefined) return `${nodeLabel(node)} (no run saved a weight for it)`;
        return saved.runId === undefined
          ? `${nodeLabel(node)} (weight ${saved.weight} saved on the balancer)`
          : `${nodeLabel(node)}, left there by run ${saved.runId} (weight ${saved.weight} saved on the balancer)`;
      }),
    ...others.filter((other) => other.weight === 0).map((other) => other.serverId),
  ];
}

function batchNodes(
  ctx: PlanContext,
  nodes: readonly FleetNode[],
  budget: Budget,
  atZero: readonly string[],
): string[][] {
  // A balancer that is not there is the problem already named; its budget says nothing more.
  if (!ctx.balancer.exists && ctx.spec.loadBalancer.create === undefined) return [];
  const healthy = new Set(budget.healthyWeighted);
  const candidates: BatchCandidate[] = nodes.map((node) => ({
    id: node.id,
    ...(node.group === undefined ? {} : { group: node.group }),
    countsAsHealthy: healthy.has(node.id),
  }));
  const canary = ctx.spec.rollout.canary;
  const result = cutBatches(candidates, {
    maxUnavailable: budget.maxUnavailable,
    minHealthy: budget.minHealthy,
    healthyWeighted: healthy.size,
    ...(canary === undefined ? {} : { firstBatchAtMost: canary.servers }),
  });
  if (result.ok) return result.batches;
  const counted = `${ctx.balancer.label} has ${healthy.size} healthy, weighted backend(s) (${[...healthy].join(', ') || 'none'}${judgedOn(ctx)}), so while ${result.blocked} is out only ${result.remaining} remain`;
  const zero = atZero.length === 0 ? '' : `; at weight 0: ${atZero.join(', ')}`;
  // minHealthy 0 would let every server out at once: it is never what to do, so never said.
  const lower = healthy.size - 1;
  ctx.problems.add(
    ['rollout', 'minHealthy'],
    lower >= 1
      ? `at most ${lower}: ${counted}${zero}`
      : `more healthy, weighted backends than minHealthy while a server is out (bring one into service first): ${counted}${zero}`,
    String(budget.minHealthy),
  );
  return [];
}

function fleetNotes(nodes: readonly FleetNode[]): string[] {
  const notes: string[] = [];
  for (const node of nodes) {
    if (node.atZero !== undefined) {
      notes.push(describeAtZero(nodeLabel(node), node.id, node.atZero));
    } else if (node.attached && !node.observedHealthy) {
      notes.push(
        node.healthy
          ? `${nodeLabel(node)} is not healthy on the balancer now: the path check waits for it before anything else changes.`
          : `${nodeLabel(node)} is not healthy on the balancer now: it does not count toward minHealthy.`,
      );
    }
    const { saved } = node;
    if (node.belowSaved !== undefined) {
      notes.push(
        `${nodeLabel(node)} serves at weight ${node.weightAtRollout}, though ${describeSavedWeight(node.id, node.belowSaved)}: a run stopped during its ramp, so it is maintained like the others and restored to ${node.belowSaved.weight}.`,
      );
    } else if (
      node.atZero === undefined &&
      saved !== undefined &&
      saved.weight !== node.weightAtRollout &&
      !node.bringIntoService
    ) {
      // Above the saved weight: someone set it since (a ramp never climbs past it); its drain
      // saves the live weight instead.
      notes.push(
        `${nodeLabel(node)} serves at weight ${node.weightAtRollout}, though ${describeSavedWeight(node.id, saved)}: it goes back to ${node.weightAtRollout}, the weight it has now.`,
      );
    }
  }
  return notes;
}

function sum(steps: readonly StepDraft[]): number {
  return steps.filter(countedInEstimates).reduce((total, step) => total + step.expectedSeconds, 0);
}

/** The workflow section of a balancer you run yourself, as the plan carries it (else nothing). */
function selfRunSection(spec: WorkflowSpec): { selfRun?: SelfRunBalancerSection } {
  const selfRun = selfRunBalancer(spec.loadBalancer);
  if (selfRun === undefined) return {};
  const { id: _id, name: _name, ...section } = selfRun;
  return { selfRun: section };
}
