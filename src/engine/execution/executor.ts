/**
 * The executor: runs exactly the plan, in the order of the runbook `drainctl plan` printed.
 *
 *   prepare (balancer, listeners, backends, path, DNS cutover)
 *   for each batch, each node of it concurrently, one sequence per node (node-runner.ts):
 *     [baseline] → before-hooks → gate → [baseline] → drain → wait drained → patch → reboot →
 *     wait healthy → verify → restore → after-hooks
 *   finish
 *
 * Steps already completed (a resumed run) are skipped; a stop ends the rollout with every node
 * serving or reported. The outcome is journaled as `halt` (why) and `done`.
 */
import { nodeLabel } from '../../plan/host-target.js';
import type { Step } from '../../plan/types.js';
import type { RunOutcome } from '../journal/entries.js';
import { haltsRollout } from '../policy/failure-policy.js';
import {
  leftAtZero,
  leftAtZeroOnPurpose,
  leftAtZeroReason,
  nodesNotDone,
  stillAtZero,
} from '../policy/left-at-zero.js';
import { compensate } from '../steps/compensations.js';
import { finishNode, rollBackCanaryNode, runNode } from './node-runner.js';
import type { RunContext } from './run-context.js';
import { haltedByAbort } from './run-control.js';
import { executeStep } from './run-step.js';

export async function executePlan(ctx: RunContext): Promise<RunOutcome> {
  await learnBalancerAddress(ctx);
  await haltOnRecordedFailure(ctx);
  // A preparation that failed before a crash is answered as it would have been: DNS goes back.
  if (ctx.state.openFailures.some((f) => ctx.state.stepsById.get(f.step)?.phase === 'prepare')) {
    await rollBackCutover(ctx);
  }
  const prepared = await runPhase(ctx, 'prepare');
  if (prepared) {
    for (const batch of [...ctx.state.plan.batches].sort((a, b) => a.index - b.index)) {
      await haltOnRecordedFailure(ctx);
      // A stopping run finishes the batch it is in (nodes out of service come back), no other.
      if (ctx.control.stopRequested && !batchStarted(ctx, batch.index)) break;
      await runBatch(ctx, batch.index);
    }
  }
  if (!ctx.control.stopRequested) await runPhase(ctx, 'finish');
  return conclude(ctx);
}

/**
 * A node that already ended with a failure that halts the rollout (read from the journal, as
 * after a resume) stops the rollout before the next batch, whatever else was written.
 */
async function haltOnRecordedFailure(ctx: RunContext): Promise<void> {
  if (ctx.control.stopRequested) return;
  const stopOnFailure = ctx.state.plan.stopOnFailure ?? true;
  for (const failure of ctx.state.openFailures) {
    const step = ctx.state.stepsById.get(failure.step);
    // A failed step outside a node's sequence always halts; a node's follows the policy.
    if (
      step?.node === undefined ||
      step.phase !== 'rollout' ||
      haltsRollout(failure.outcome, stopOnFailure)
    ) {
      const who = failure.node === undefined ? `step ${step?.index ?? failure.step}` : failure.node;
      await ctx.stop('halt', `${who}: ${failure.detail}`);
      return;
    }
  }
}

/** Prepare and finish steps run one after the other; a failure halts the run. */
async function runPhase(ctx: RunContext, phase: 'prepare' | 'finish'): Promise<boolean> {
  for (const step of ctx.state.plan.steps.filter((s) => s.phase === phase)) {
    if (ctx.state.completedSteps.has(step.id)) continue;
    // A preparation stopped half way (an abort during the wait for the old TTL) is undone like
    // one that failed: clients keep reaching the service as before the run, with its TTL.
    if (ctx.control.stopRequested) {
      if (phase === 'prepare') await rollBackCutover(ctx);
      return false;
    }
    const outcome = await executeStep(ctx, step);
    if (outcome.status === 'ok') continue;
    if (outcome.status === 'failed') {
      await ctx.stop(
        'halt',
        `${phase} step ${step.index} (${step.action}) failed: ${outcome.detail}`,
      );
      // A server brought into service goes back to where its ramp began.
      if (step.action === 'node.restore') await compensate(ctx, step);
    }
    if (phase === 'prepare') await rollBackCutover(ctx);
    return false;
  }
  return true;
}

/** Some node of the batch has begun (a step ended, or it left `pending`). */
function batchStarted(ctx: RunContext, batch: number): boolean {
  const { state } = ctx;
  return state.plan.steps.some(
    (s) =>
      s.phase === 'rollout' &&
      batchOf(ctx, s) === batch &&
      (state.completedSteps.has(s.id) ||
        state.failedSteps.has(s.id) ||
        (s.node !== undefined && state.nodes.get(s.node)?.state !== 'pending')),
  );
}

function batchOf(ctx: RunContext, step: Step): number {
  return step.batch ?? ctx.state.plan.nodes.find((n) => n.id === step.node)?.batch ?? 0;
}

/**
 * A batch's steps in plan order: node steps run concurrently, one sequence per node; a step
 * without a node (a wait between nodes) is a barrier between them.
 */
async function runBatch(ctx: RunContext, batch: number): Promise<void> {
  const steps = ctx.state.plan.steps.filter(
    (s) => s.phase === 'rollout' && batchOf(ctx, s) === batch,
  );
  let segment: Step[] = [];
  const flush = async () => {
    const byNode = new Map<string, Step[]>();
    for (const s of segment) byNode.set(s.node ?? '', [...(byNode.get(s.node ?? '') ?? []), s]);
    segment = [];
    // Every node sequence runs to its end before the batch is over, whatever happens to a
    // sibling: the run never returns (nor releases its lock) while a node is mid-maintenance.
    const settled = await Promise.allSettled(
      [...byNode].map(([node, nodeSteps]) => runNode(ctx, node, nodeSteps)),
    );
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  };
  for (const step of steps) {
    if (step.node !== undefined) {
      segment.push(step);
      continue;
    }
    await flush();
    if (ctx.control.abortRequested || ctx.state.completedSteps.has(step.id)) continue;
    if (step.action === 'canary.bake') {
      await bakeCanary(ctx, step);
      continue;
    }
    const outcome = await executeStep(ctx, step);
    if (outcome.status === 'failed')
      await ctx.stop('halt', `step ${step.index} failed: ${outcome.detail}`);
  }
  await flush();
  const nodes = new Set(steps.flatMap((s) => (s.node === undefined ? [] : [s.node])));
  for (const node of nodes) {
    await finishNode(
      ctx,
      node,
      steps.filter((s) => s.node === node),
    );
  }
}

/**
 * The canary bakes once it is back — not after a halt (its own failure, or a bake that failed
 * before a crash: resume finishes that bake's rollbacks, never bakes again). A failed bake
 * halts the rollout first, then rolls each canary node back.
 */
async function bakeCanary(
  ctx: RunContext,
  step: Extract<Step, { action: 'canary.bake' }>,
): Promise<void> {
  const failedBefore = ctx.state.failedSteps.get(step.id);
  let detail = failedBefore?.detail;
  if (detail === undefined) {
    if (ctx.control.stopRequested) return;
    // Status and the live view show the canary baking, not still restoring (a resumed bake
    // finds it baking already).
    for (const node of step.params.canary) {
      if (ctx.state.nodes.get(node)?.state === 'restoring') await ctx.moveNode(node, 'baking');
    }
    const outcome = await executeStep(ctx, step);
    if (outcome.status !== 'failed') return;
    detail = outcome.detail;
    await ctx.stop('halt', `step ${step.index} failed: ${detail}`);
  }
  const why = detail;
  await Promise.all(step.params.canary.map((node) => rollBackCanaryNode(ctx, node, why)));
}

/**
 * A prepare step failed (or the run stopped) after the DNS cutover began: undo it as the
 * runbook's `undo:` lines say — the record pointed back, then a TTL lowered for it set back — so
 * clients keep reaching the service the way they did before the run. The balancer and listeners
 * stay (they carry no traffic without the record, and a re-run finds them again by name).
 */
async function rollBackCutover(ctx: RunContext): Promise<void> {
  // Both lists first: an undo reopens the cutover's steps for a resumed run (run-state.ts).
  const points = ctx.state.plan.steps.filter(
    (s): s is Extract<Step, { action: 'dns.point' }> =>
      s.action === 'dns.point' && s.phase === 'prepare' && ctx.state.completedOps.has(s.id),
  );
  const lowered = ctx.state.plan.steps.filter(
    (s): s is Extract<Step, { action: 'dns.set-ttl' }> =>
      s.action === 'dns.set-ttl' && s.phase === 'prepare' && ctx.state.completedOps.has(s.id),
  );
  // Pointing back restores the TTL the record had too; a TTL lowered ahead of a cutover that
  // never happened is set back on its own.
  for (const step of points.reverse()) await compensate(ctx, step);
  for (const step of lowered.reverse()) await compensate(ctx, step);
}

/** The address of an existing balancer is read once (steps may refer to it). */
async function learnBalancerAddress(ctx: RunContext): Promise<void> {
  const { refs } = ctx.state;
  if (refs.loadBalancerAddress !== undefined || refs.loadBalancerId === undefined) return;
  const usesAddress = JSON.stringify(ctx.state.plan.steps).includes('"loadBalancer.address"');
  if (!usesAddress) return;
  const info = await ctx.ports.loadBalancer.describe(refs.loadBalancerId);
  refs.loadBalancerAddress = info.address;
}

async function conclude(ctx: RunContext): Promise<RunOutcome> {
  // Nodes the plan lists without a step of their own are not part of the rollout.
  const withSteps = new Set(
    ctx.state.plan.steps.flatMap((s) => (s.node === undefined ? [] : [s.node])),
  );
  const nodes = [...ctx.state.nodes.values()].filter((n) => withSteps.has(n.id));
  const notDone = nodesNotDone(ctx.state);
  const leftOut = nodes.filter((n) => n.state === 'left-out');
  // A server left at weight 0 as found, without the operator's word, is no plain success.
  const atZero = leftAtZero(ctx.state.plan);
  const stopped = ctx.control.stopRequested;
  const outcome: RunOutcome =
    stopped || notDone.length > 0 || atZero.length > 0 ? 'halted' : 'completed';
  if (outcome === 'halted' && ctx.state.halt === undefined) {
    const reason =
      notDone.length > 0 || atZero.length === 0
        ? `${notDone.length} node(s) not done: ${notDone.map((n) => `${n.name} ${n.state}`).join(', ')}`
        : leftAtZeroReason(atZero);
    await ctx.record({ type: 'halt', reason });
  }
  const skipped = nodes.filter((n) => n.state === 'skipped').length;
  const current = nodes.filter((n) => n.state === 'done' && n.alreadyCurrent !== undefined).length;
  const aside = [
    ...(skipped > 0 ? [`${skipped} skipped, already compliant`] : []),
    ...(current > 0 ? [`${current} unchanged: already current`] : []),
  ];
  const onPurpose = leftAtZeroOnPurpose(ctx.state.plan);
  const reason =
    ctx.control.reason ??
    (notDone.length === 0 && atZero.length > 0
      ? leftAtZeroReason(atZero)
      : 'not every node is done');
  const leftOutList =
    leftOut.length > 0
      ? `; left out of service: ${leftOut.map((n) => `${n.name} (${n.id}, ${n.reason})`).join(', ')}`
      : '';
  const atZeroList =
    atZero.length > 0 && reason !== leftAtZeroReason(atZero) ? `; ${leftAtZeroReason(atZero)}` : '';
  const notReached = stillAtZero(ctx.state);
  const notReachedList =
    notReached.length > 0
      ? `; still at weight 0 as found, not reached: ${notReached.map((n) => `${n.name} (${n.id})`).join(', ')}`
      : '';
  // An abort is not a failure: it says who stopped the run and that every node is accounted
  // for (the abort undid drains in progress and carried patched nodes back), not what broke.
  const summary =
    outcome === 'completed'
      ? `all ${nodes.length} node(s) done${aside.length > 0 ? ` (${aside.join('; ')})` : ''}${
          onPurpose.length > 0
            ? `; left at weight 0 as found, as --leave-at-zero says: ${onPurpose.map((n) => nodeLabel(n)).join(', ')}`
            : ''
        }`
      : haltedByAbort(ctx.state)
        ? `${ctx.state.halt}: stopped safely, every node serving or named${leftOutList}${notReachedList}${atZeroList}`
        : `halted: ${reason}${leftOutList}${notReachedList}${atZeroList}`;
  await ctx.record({ type: 'done', outcome, summary });
  return outcome;
}
