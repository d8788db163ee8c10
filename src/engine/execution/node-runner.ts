/**
 * One node's sequence, in plan order (the planner writes it as the runbook reads it,
 * src/plan/node-steps.ts):
 *
 *   [baseline] → before-hooks → gate → [baseline] → drain → [release connections] →
 *   wait drained → patch → reboot → wait healthy → verify → restore → after-hooks
 *
 * (the baseline comes first when it can find the node already compliant and skip it), and what
 * happens when a step fails or the run is asked to stop.
 */

import type { Step } from '../../plan/types.js';
import { FatalRunError, message } from '../engine-errors.js';
import type { NodeRecord } from '../journal/run-state.js';
import { dispositionFor, haltsRollout, rollsBackPatch } from '../policy/failure-policy.js';
import { type FailureOutcome, hostTouched, isTerminal } from '../policy/node-machine.js';
import { compensate } from '../steps/compensations.js';
import {
  boundWeight,
  forgetSavedWeightIfServing,
  savedWeightTarget,
  saveWeight,
} from '../steps/saved-weight.js';
import { haltAtDrainsEnd } from './drains-end.js';
import type { Compensated, RunContext } from './run-context.js';
import { executeStep } from './run-step.js';
import { inScope } from './step-scope.js';

export async function runNode(
  ctx: RunContext,
  nodeId: string,
  steps: readonly Step[],
): Promise<void> {
  try {
    // Whatever the sequence does outside its steps (settling a failure) is this node's too.
    await inScope({ node: nodeId }, () => runSequence(ctx, nodeId, steps));
  } finally {
    // Whatever happened, later nodes of the batch no longer wait for this one's drain.
    ctx.drainTurns.decide(nodeId);
    // A drain probe still held (the node failed or stopped before its reboot) is done with.
    await ctx.heldProbes.release(nodeId);
  }
}

async function runSequence(ctx: RunContext, nodeId: string, steps: readonly Step[]): Promise<void> {
  // A rollback under way when the run stopped (a crash, a kill) is finished first.
  const found = nodeRecord(ctx, nodeId);
  if (found.state === 'rolling-back') {
    await finishRollback(
      ctx,
      nodeId,
      found.outcome ?? 'error',
      found.detail ?? 'patch rolled back',
    );
    return;
  }
  // A patch's rollback steps run only when it is rolled back.
  for (const step of steps.filter((s) => s.rollback !== true)) {
    const record = nodeRecord(ctx, nodeId);
    if (isTerminal(record.state)) return;
    if (ctx.state.completedSteps.has(step.id)) continue;
    // Once the rollout stops, no further node leaves service. An abort also undoes a drain in
    // progress; a node whose host we already changed is carried through the proof and the
    // ramp, its fastest safe way back. A halt lets nodes already out finish (run-control.ts).
    if (ctx.control.stopRequested && record.state === 'pending') return;
    // Past the run's end for drains, a node not yet out does not begin (nor run its hooks).
    if (record.state === 'pending' && (await ctx.gateMutex.run(() => haltAtDrainsEnd(ctx)))) {
      return;
    }
    if (ctx.control.abortRequested && !hostTouched(record.state)) {
      await standDown(ctx, nodeId);
      return;
    }
    const outcome = await executeStep(ctx, step);
    if (step.action === 'node.drain') ctx.drainTurns.decide(nodeId);
    if (outcome.status === 'stopped') {
      await standDown(ctx, nodeId);
      return;
    }
    if (outcome.status === 'failed') {
      const patch = rollbackOf(ctx, nodeId);
      if (patch !== undefined && rollsBackPatch(outcome.outcome) && hostTouched(record.state)) {
        await rollBackNode(ctx, nodeId, patch, outcome.outcome, outcome.detail);
        return;
      }
      // The halt is journaled before the node is settled: a crash in between must not let a
      // resumed run start the next batch.
      const stopOnFailure = ctx.state.plan.stopOnFailure ?? true;
      if (haltsRollout(outcome.outcome, stopOnFailure)) {
        await ctx.stop('halt', `${record.name} (${nodeId}): ${outcome.detail}`);
      }
      await settleFailedNode(ctx, nodeId, outcome.outcome, outcome.detail);
      return;
    }
  }
}

/** After its batch: a node whose every step completed is done. */
export async function finishNode(
  ctx: RunContext,
  nodeId: string,
  steps: readonly Step[],
): Promise<void> {
  const record = nodeRecord(ctx, nodeId);
  if (isTerminal(record.state)) return;
  const ran = steps.filter((s) => s.rollback !== true);
  if (ran.every((s) => ctx.state.completedSteps.has(s.id))) {
    // A patch that had nothing to do is said so, in the journal and the report.
    const current = record.alreadyCurrent;
    await ctx.moveNode(nodeId, 'done', current === undefined ? {} : { detail: current });
  }
}

/** Carry out the failure policy for a node whose step failed. */
export async function settleFailedNode(
  ctx: RunContext,
  nodeId: string,
  outcome: FailureOutcome,
  detail: string,
): Promise<void> {
  const record = nodeRecord(ctx, nodeId);
  const disposition = dispositionFor(record.state, outcome, restoreDone(ctx, nodeId));
  switch (disposition.kind) {
    case 'untouched':
      // Still serving at its original weight; the failed step is in the journal and the report.
      return;
    case 'keep-serving':
      await ctx.moveNode(nodeId, 'done', { outcome, detail });
      return;
    case 'roll-back':
      await rollBack(ctx, record, outcome, detail);
      return;
    case 'leave-out': {
      let reason = disposition.reason;
      let why = detail;
      // Back to weight 0: the undo of its restore (which may not have begun).
      const restore = disposition.pullToZero ? restoreStepOf(ctx, nodeId) : undefined;
      const pulled = restore === undefined ? undefined : await compensate(ctx, restore);
      if (pulled !== undefined && pulled.kind !== 'undone') {
        reason = leftOutReason(pulled);
        why = `${detail}; ${pulled.detail}`;
      }
      await leaveOut(ctx, record, reason, outcome, why);
      return;
    }
  }
}

/**
 * A patch that proved bad is rolled back: the rollout halts (whatever `stopOnFailure` says: the
 * version is bad, the next server would get it too), a node caught serving errors in its ramp
 * goes back to weight 0 first, then its rollback runs (patch-rollback.ts).
 */
async function rollBackNode(
  ctx: RunContext,
  nodeId: string,
  patch: Extract<Step, { action: 'node.patch' }>,
  outcome: FailureOutcome,
  detail: string,
): Promise<void> {
  const record = nodeRecord(ctx, nodeId);
  await ctx.stop('halt', `${record.name} (${nodeId}): ${detail}; its patch is rolled back`);
  if (outcome === 'bad-ramp' || outcome === 'bad-bake') {
    const restore = restoreStepOf(ctx, nodeId);
    const pulled = restore === undefined ? undefined : await compensate(ctx, restore);
    if (pulled !== undefined && pulled.kind !== 'undone') {
      // Not known to be at weight 0: nothing more is done to it.
      await leaveOut(ctx, record, leftOutReason(pulled), outcome, `${detail}; ${pulled.detail}`);
      return;
    }
  }
  await ctx.moveNode(nodeId, 'rolling-back', { outcome, detail });
  await finishRollback(ctx, nodeId, outcome, detail, patch);
}

/**
 * The canary's bake failed (the executor has journaled the halt): each canary node back in
 * service is rolled back, or — without a rollback — taken back to weight 0 and left out, as a
 * failed ramp is. Nodes its own failure settled already are left as they are.
 */
export async function rollBackCanaryNode(
  ctx: RunContext,
  nodeId: string,
  detail: string,
): Promise<void> {
  const record = nodeRecord(ctx, nodeId);
  if (record.state === 'pending' || isTerminal(record.state)) return;
  if (record.state === 'rolling-back') return finishRollback(ctx, nodeId, 'bad-bake', detail);
  // Its restore removed the weight it comes back to; out of service again, it must be kept on
  // the balancer first, as before its drain — or it is not taken out.
  if (!(await saveWeightAgain(ctx, record))) return;
  const patch = rollbackOf(ctx, nodeId);
  if (patch !== undefined) return rollBackNode(ctx, nodeId, patch, 'bad-bake', detail);
  const restore = restoreStepOf(ctx, nodeId);
  const pulled = restore === undefined ? undefined : await compensate(ctx, restore);
  const why =
    pulled === undefined || pulled.kind === 'undone' ? detail : `${detail}; ${pulled.detail}`;
  const reason =
    pulled === undefined || pulled.kind === 'undone' ? 'unhealthy' : leftOutReason(pulled);
  await leaveOut(ctx, record, reason, 'bad-bake', why);
}

/** Saves the weight a baked canary comes back to; false (with a warning) when it cannot. */
async function saveWeightAgain(ctx: RunContext, record: NodeRecord): Promise<boolean> {
  const target = savedWeightTarget(ctx, record.id);
  const weight = boundWeight(ctx, record.id) ?? record.originalWeight;
  if (target === undefined || weight === undefined) return true;
  try {
    await saveWeight(ctx, target, weight, undefined);
    return true;
  } catch (error) {
    if (error instanceof FatalRunError) throw error;
    await ctx.record({
      type: 'note',
      node: record.id,
      warning: true,
      message: `the canary's bake failed, but ${weight} could not be saved as the weight ${record.name} comes back to (${message(error)}): not rolled back, it keeps serving`,
    });
    return false;
  }
}

/** Runs (or, resumed, continues) the rollback and settles the node by its result. */
async function finishRollback(
  ctx: RunContext,
  nodeId: string,
  outcome: FailureOutcome,
  detail: string,
  patch = rollbackOf(ctx, nodeId),
): Promise<void> {
  const record = nodeRecord(ctx, nodeId);
  const undone: Compensated =
    patch === undefined
      ? { kind: 'error', detail: 'the plan has no rollback for it' }
      : await compensate(ctx, patch);
  if (undone.kind === 'undone') {
    await ctx.moveNode(nodeId, 'rolled-back', { outcome, detail: `${detail}; ${undone.detail}` });
    return;
  }
  await leaveOut(ctx, record, leftOutReason(undone), outcome, `${detail}; ${undone.detail}`);
}

/** The node's patch step when the plan can roll it back. */
function rollbackOf(
  ctx: RunContext,
  nodeId: string,
): Extract<Step, { action: 'node.patch' }> | undefined {
  return ctx.state.plan.steps.find(
    (s): s is Extract<Step, { action: 'node.patch' }> =>
      s.action === 'node.patch' && s.node === nodeId && s.inverse.kind === 'inverse',
  );
}

/** The run is stopping: a node not started stays untouched, a drain in progress is undone. */
async function standDown(ctx: RunContext, nodeId: string): Promise<void> {
  const record = nodeRecord(ctx, nodeId);
  if (record.state === 'pending' || isTerminal(record.state)) return;
  const why = `stopped: ${ctx.control.reason ?? 'stop requested'}`;
  if (!hostTouched(record.state)) {
    await rollBack(ctx, record, 'aborted', why);
    return;
  }
  await leaveOut(
    ctx,
    record,
    'error',
    'aborted',
    `${why} (a step was cut short after the host changed)`,
  );
}

/**
 * Put an untouched node straight back to its recorded weight (no ramp: the host is as it was):
 * the undo of its drain, which also knows when "as it was found" is weight 0.
 */
async function rollBack(
  ctx: RunContext,
  record: NodeRecord,
  outcome: FailureOutcome,
  detail: string,
): Promise<void> {
  const drain = drainStepOf(ctx, record.id);
  const undone =
    drain === undefined
      ? { kind: 'undone' as const, detail: 'weight back to its original, host untouched' }
      : await compensate(ctx, drain);
  if (undone.kind !== 'undone') {
    await leaveOut(ctx, record, leftOutReason(undone), outcome, `${detail}; ${undone.detail}`);
    return;
  }
  await ctx.moveNode(record.id, 'rolled-back', { outcome, detail: `${detail}; ${undone.detail}` });
}

/** Why a node whose undo did not happen is left out. */
function leftOutReason(
  undone: Exclude<Compensated, { kind: 'undone' }>,
): NonNullable<NodeRecord['reason']> {
  return undone.kind === 'left' ? (undone.reason ?? 'error') : undone.kind;
}

async function leaveOut(
  ctx: RunContext,
  record: NodeRecord,
  reason: NonNullable<NodeRecord['reason']>,
  outcome: FailureOutcome,
  detail: string,
): Promise<void> {
  // Put back by someone else: its weight is theirs, its saved weight goes (before the end state
  // is journaled, so a resumed run that settles it again removes it again).
  if (reason === 'drift') await forgetSavedWeightIfServing(ctx, record.id);
  await ctx.moveNode(record.id, 'left-out', { reason, outcome, detail });
}

function restoreDone(ctx: RunContext, nodeId: string): boolean {
  return ctx.state.plan.steps.some(
    (s) =>
      s.action === 'node.restore' &&
      s.node === nodeId &&
      s.phase === 'rollout' && // a bring-in before the rollout is not this node's restore
      s.rollback !== true &&
      ctx.state.completedSteps.has(s.id),
  );
}

function drainStepOf(
  ctx: RunContext,
  nodeId: string,
): Extract<Step, { action: 'node.drain' }> | undefined {
  return ctx.state.plan.steps.find(
    (s): s is Extract<Step, { action: 'node.drain' }> =>
      s.action === 'node.drain' && s.node === nodeId,
  );
}

/** The restore of the node's own maintenance (not a bring-in before the rollout). */
function restoreStepOf(
  ctx: RunContext,
  nodeId: string,
): Extract<Step, { action: 'node.restore' }> | undefined {
  return ctx.state.plan.steps.find(
    (s): s is Extract<Step, { action: 'node.restore' }> =>
      s.action === 'node.restore' &&
      s.node === nodeId &&
      s.phase === 'rollout' &&
      s.rollback !== true,
  );
}

function nodeRecord(ctx: RunContext, nodeId: string): NodeRecord {
  const record = ctx.state.nodes.get(nodeId);
  if (record === undefined) throw new Error(`node ${nodeId} is not in the plan`);
  return record;
}
