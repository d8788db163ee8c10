/**
 * One node's sequence, in plan order (the planner writes it as the runbook reads:
 * gate → hooks → baseline → drain → wait drained → patch → reboot → wait healthy → verify →
 * restore → hooks), and what happens when a step fails or the run is asked to stop.
 */

import { savedWeightKey } from '../plan/saved-weight.js';
import type { Step } from '../plan/types.js';
import { FatalRunError, message } from './errors.js';
import { dispositionFor, haltsRollout } from './failure-policy.js';
import {
  type FailureOutcome,
  hostTouched,
  IllegalTransitionError,
  isTerminal,
} from './node-machine.js';
import { resolveRef } from './refs.js';
import type { RunContext } from './run-context.js';
import type { NodeRecord } from './run-state.js';
import { executeStep } from './run-step.js';
import { inScope } from './step-scope.js';
import {
  forgetSavedWeight,
  forgetSavedWeightIfServing,
  weightToComeBack,
} from './steps/saved-weight.js';
import { expectedWeightOf, type SetWeightResult, setWeight } from './steps/weights.js';

/**
 * The failure policy's own weight change (roll back, pull to 0) is tried again after these
 * waits before the node is named as left out with the error: a throttled or briefly failing API
 * must not leave a server half in service, and a refusal that lasts must not go unreported.
 */
export const SETTLE_RETRY_DELAYS_MS = [1_000, 4_000];

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
  for (const step of steps) {
    const record = nodeRecord(ctx, nodeId);
    if (isTerminal(record.state)) return;
    if (ctx.state.completedSteps.has(step.id)) continue;
    // Once the rollout stops, no further node leaves service. An abort also undoes a drain in
    // progress; a node whose host we already changed is carried through the proof and the
    // ramp, its fastest safe way back. A halt lets nodes already out finish (run-control.ts).
    if (ctx.control.stopRequested && record.state === 'pending') return;
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
  if (steps.every((s) => ctx.state.completedSteps.has(s.id))) {
    // A patch that had nothing to do is said so, in the journal and the report.
    const current = record.alreadyCurrent;
    await ctx.moveNode(nodeId, 'done', current === undefined ? {} : { detail: current });
    await ctx.notify({
      kind: 'node-done',
      node: nodeId,
      message: `${record.name} is done${current === undefined ? '' : ` (${current})`}`,
    });
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
      if (disposition.pullToZero) {
        const pulled = await pullToZero(ctx, record);
        if (pulled.kind === 'drift') {
          reason = 'drift';
          why = `${detail}; not taken back to weight 0: ${pulled.detail}`;
        } else if (pulled.kind === 'error') {
          reason = 'error';
          why = `${detail}; could not take it back to weight 0: ${pulled.detail}`;
        }
      }
      await leaveOut(ctx, record, reason, outcome, why);
      return;
    }
  }
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

/** Put an untouched node straight back to its recorded weight (no ramp: the host is as it was). */
async function rollBack(
  ctx: RunContext,
  record: NodeRecord,
  outcome: FailureOutcome,
  detail: string,
): Promise<void> {
  if (record.retriedFromLeftOut !== undefined) {
    // A retry of a node found out of service: "as it was found" is weight 0, left out.
    await leaveOut(
      ctx,
      record,
      record.retriedFromLeftOut,
      outcome,
      `${detail}; retried from weight 0, left there`,
    );
    return;
  }
  const original = record.originalWeight;
  const drain = drainStepOf(ctx, record.id);
  const back =
    drain && weightToComeBack(ctx, record.id, drain.params.serverId, drain.params.expectedWeight);
  if (original === 0 && drain !== undefined && typeof back === 'number' && back > 0) {
    // Found at weight 0 and bound for a saved (or given) weight: "as it was found" is out of
    // service, and it returns to `back` only through the full proof.
    await leaveOut(
      ctx,
      record,
      'error',
      outcome,
      `${detail}; found at weight 0, left there (it goes back to ${back} only through a full maintenance; the tag ${savedWeightKey(drain.params.serverId)} keeps that weight)`,
    );
    return;
  }
  let kept = '';
  if (original !== undefined && drain !== undefined) {
    const loadBalancerId = String(resolveRef(drain.params.loadBalancerId, ctx.state));
    const serverId = drain.params.serverId;
    const result = await settleWeight(ctx, loadBalancerId, serverId, () =>
      ctx.gateMutex.run(() =>
        setWeight(ctx, {
          step: drain.id,
          opId: `${drain.id}#rollback`,
          node: record.id,
          loadBalancerId,
          serverId,
          to: original,
          expect: expectedWeightOf(ctx, serverId),
        }),
      ),
    );
    if (result.kind === 'drift') {
      await leaveOut(ctx, record, 'drift', outcome, `${detail}; not rolled back, ${result.detail}`);
      return;
    }
    if (result.kind === 'error') {
      await leaveOut(
        ctx,
        record,
        'error',
        outcome,
        `${detail}; could not put it back to weight ${original}: ${result.detail}`,
      );
      return;
    }
    // Found serving below its saved weight (a ramp that stopped): back where it was found and
    // still on its way to the saved weight, which its tag keeps.
    const stillBound = typeof back === 'number' && back > original;
    if (original > 0 && !stillBound) {
      await forgetSavedWeight(
        ctx,
        { loadBalancerId, serverId, node: record.id },
        `${serverId} is back at weight ${original}`,
      );
    }
    if (stillBound) kept = `; the tag ${savedWeightKey(serverId)} keeps ${back}`;
  }
  await ctx.moveNode(record.id, 'rolled-back', {
    outcome,
    detail: `${detail}; weight back to ${original ?? 'its original'}, host untouched${kept}`,
  });
  await ctx.notify({
    kind: 'node-done',
    node: record.id,
    message: `${record.name} rolled back (serving, not patched): ${detail}`,
  });
}

type Settled =
  | { kind: 'ok' }
  | { kind: 'drift'; detail: string }
  | { kind: 'error'; detail: string };

/**
 * Carry out one weight change of the failure policy, trying again after an error. Errors that
 * stop the run (the journal, the lock) are not retried; any other that lasts is returned with
 * the live weight, so the node can be named with where it really is.
 */
async function settleWeight(
  ctx: RunContext,
  loadBalancerId: string,
  serverId: string,
  change: () => Promise<SetWeightResult>,
): Promise<Settled> {
  let last: unknown;
  for (let attempt = 0; attempt <= SETTLE_RETRY_DELAYS_MS.length; attempt += 1) {
    if (attempt > 0) await ctx.ports.clock.sleep(SETTLE_RETRY_DELAYS_MS[attempt - 1] ?? 0);
    try {
      const result = await change();
      return result.ok ? { kind: 'ok' } : { kind: 'drift', detail: result.drift };
    } catch (error) {
      if (error instanceof FatalRunError || error instanceof IllegalTransitionError) throw error;
      last = error;
      ctx.logger.warn(
        { err: error, serverId, attempt: attempt + 1 },
        `weight change of ${serverId} failed: ${message(error)}`,
      );
    }
  }
  const live = await ctx.ports.loadBalancer
    .listBackends(loadBalancerId)
    .then((backends) => backends.find((b) => b.serverId === serverId)?.weight)
    .catch(() => undefined);
  const where =
    live === undefined
      ? 'its weight could not be read either'
      : `it is at weight ${live}${live > 0 ? ' (serving)' : ''}`;
  return { kind: 'error', detail: `${message(last)}; ${where}` };
}

/** Take a node whose host changed back to weight 0 (it must not serve unproven). */
async function pullToZero(ctx: RunContext, record: NodeRecord): Promise<Settled> {
  const restore = ctx.state.plan.steps.find(
    (s): s is Extract<Step, { action: 'node.restore' }> =>
      s.action === 'node.restore' && s.node === record.id && s.phase === 'rollout',
  );
  const drain = drainStepOf(ctx, record.id);
  const source = restore ?? drain;
  if (source === undefined) return { kind: 'ok' };
  const serverId = source.params.serverId;
  if (
    ctx.state.weights.get(serverId) === 0 &&
    ![...ctx.state.pendingIntents.values()].some((i) => i.target.serverId === serverId)
  ) {
    return { kind: 'ok' };
  }
  const loadBalancerId = String(resolveRef(source.params.loadBalancerId, ctx.state));
  return settleWeight(ctx, loadBalancerId, serverId, () =>
    ctx.gateMutex.run(() =>
      setWeight(ctx, {
        step: source.id,
        opId: `${source.id}#pull`,
        node: record.id,
        loadBalancerId,
        serverId,
        to: 0,
        expect: expectedWeightOf(ctx, serverId),
      }),
    ),
  );
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
  await ctx.notify({
    kind: 'node-left-out',
    node: record.id,
    message: `${record.name} (${record.id}) left out of service: ${reason}: ${detail}`,
  });
}

function restoreDone(ctx: RunContext, nodeId: string): boolean {
  return ctx.state.plan.steps.some(
    (s) =>
      s.action === 'node.restore' &&
      s.node === nodeId &&
      s.phase === 'rollout' && // a bring-in before the rollout is not this node's restore
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

function nodeRecord(ctx: RunContext, nodeId: string): NodeRecord {
  const record = ctx.state.nodes.get(nodeId);
  if (record === undefined) throw new Error(`node ${nodeId} is not in the plan`);
  return record;
}
