/**
 * One node's sequence, in plan order (the planner writes it as the runbook reads:
 * gate → hooks → baseline → drain → wait drained → patch → reboot → wait healthy → verify →
 * restore → hooks), and what happens when a step fails or the run is asked to stop.
 */

import type { Step } from '../plan/types.js';
import { dispositionFor, haltsRollout } from './failure-policy.js';
import { type FailureOutcome, hostTouched, isTerminal } from './node-machine.js';
import { resolveRef } from './refs.js';
import type { RunContext } from './run-context.js';
import type { NodeRecord } from './run-state.js';
import { executeStep } from './run-step.js';
import { expectedWeightOf, setWeight } from './steps/weights.js';

export async function runNode(
  ctx: RunContext,
  nodeId: string,
  steps: readonly Step[],
): Promise<void> {
  try {
    await runSequence(ctx, nodeId, steps);
  } finally {
    // Whatever happened, later nodes of the batch no longer wait for this one's drain.
    ctx.drainTurns.decide(nodeId);
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
    await ctx.moveNode(nodeId, 'done');
    await ctx.notify({ kind: 'node-done', node: nodeId, message: `${record.name} is done` });
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
        if (pulled !== undefined) {
          reason = 'drift';
          why = `${detail}; could not take it back to weight 0: ${pulled}`;
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
  const original = record.originalWeight;
  const drain = drainStepOf(ctx, record.id);
  if (original !== undefined && drain !== undefined) {
    const result = await ctx.gateMutex.run(() =>
      setWeight(ctx, {
        step: drain.id,
        opId: `${drain.id}#rollback`,
        node: record.id,
        loadBalancerId: String(resolveRef(drain.params.loadBalancerId, ctx.state)),
        serverId: drain.params.serverId,
        to: original,
        expect: expectedWeightOf(ctx, drain.params.serverId),
      }),
    );
    if (!result.ok) {
      await leaveOut(ctx, record, 'drift', outcome, `${detail}; not rolled back, ${result.drift}`);
      return;
    }
  }
  await ctx.moveNode(record.id, 'rolled-back', {
    outcome,
    detail: `${detail}; weight back to ${original ?? 'its original'}, host untouched`,
  });
  await ctx.notify({
    kind: 'node-done',
    node: record.id,
    message: `${record.name} rolled back (serving, not patched): ${detail}`,
  });
}

/** Returns why it could not, or undefined once the weight is 0. */
async function pullToZero(ctx: RunContext, record: NodeRecord): Promise<string | undefined> {
  const restore = ctx.state.plan.steps.find(
    (s): s is Extract<Step, { action: 'node.restore' }> =>
      s.action === 'node.restore' && s.node === record.id && s.phase === 'rollout',
  );
  const drain = drainStepOf(ctx, record.id);
  const source = restore ?? drain;
  if (source === undefined) return undefined;
  const serverId = source.params.serverId;
  if (
    ctx.state.weights.get(serverId) === 0 &&
    ![...ctx.state.pendingIntents.values()].some((i) => i.target.serverId === serverId)
  ) {
    return undefined;
  }
  const result = await ctx.gateMutex.run(() =>
    setWeight(ctx, {
      step: source.id,
      opId: `${source.id}#pull`,
      node: record.id,
      loadBalancerId: String(resolveRef(source.params.loadBalancerId, ctx.state)),
      serverId,
      to: 0,
      expect: expectedWeightOf(ctx, serverId),
    }),
  );
  return result.ok ? undefined : result.drift;
}

async function leaveOut(
  ctx: RunContext,
  record: NodeRecord,
  reason: NonNullable<NodeRecord['reason']>,
  outcome: FailureOutcome,
  detail: string,
): Promise<void> {
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
