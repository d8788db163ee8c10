/**
 * Undoing a weight change (the compensations of `node.drain` and `node.restore`): a drained node
 * whose host is untouched goes straight back to the weight recorded before its drain; a ramp
 * goes back to where it began — weight 0 for a node of the rollout (it must not serve unproven),
 * the weight it was added at for a server brought into service. Every change is drift-checked
 * against the weights this run expects; the failure policy's changes are tried again after an
 * error before the node is named with it.
 */
import { savedWeightKey } from '../../plan/saved-weight-tag.js';
import type { Step } from '../../plan/types.js';
import { FatalRunError, message } from '../engine-errors.js';
import { resolveRef } from '../execution/refs.js';
import type { Compensated, RunContext } from '../execution/run-context.js';
import type { Compensates } from '../journal/entries.js';
import { IllegalTransitionError } from '../policy/node-machine.js';
import { pullToZeroEverywhere, putBackEverywhere } from './fleet-compensations.js';
import { releaseConnections } from './release-connections.js';
import { forgetSavedWeight, weightToComeBack } from './saved-weight.js';
import { SETTLE_RETRY_DELAYS_MS } from './settle-retry.js';
import { expectedWeightOf, type SetWeightResult, setWeight } from './weights.js';

type DrainStep = Extract<Step, { action: 'node.drain' }>;
type RestoreStep = Extract<Step, { action: 'node.restore' }>;

export { SETTLE_RETRY_DELAYS_MS };

/**
 * The undo of `node.drain`: the recorded weight, no ramp (the host is as it was). A node that
 * was out of service when this run took it — retried from weight 0, or found at 0 and bound for
 * a saved weight — is left at 0: it returns only through the full proof, never unproven.
 */
export async function putBack(
  ctx: RunContext,
  drain: DrainStep,
  mark: Compensates,
): Promise<Compensated> {
  if (drain.params.attachments !== undefined) {
    return putBackEverywhere(ctx, drain, drain.params.attachments, mark);
  }
  const { serverId } = drain.params;
  const node = drain.node ?? serverId;
  const record = ctx.state.nodes.get(node);
  const unchanged = (why: string) =>
    ctx.record({ type: 'note', node, message: why, compensates: mark });
  if (record?.retriedFromLeftOut !== undefined) {
    // A retry of a node found out of service: "as it was found" is weight 0, left out.
    await unchanged(`${serverId} was retried from weight 0: left there, as it was found`);
    return {
      kind: 'left',
      reason: record.retriedFromLeftOut,
      detail: 'retried from weight 0, left there',
    };
  }
  const original = record?.originalWeight;
  const back = weightToComeBack(ctx, node, serverId, drain.params.expectedWeight);
  if (original === 0 && typeof back === 'number' && back > 0) {
    await unchanged(`${serverId} was found at weight 0: left there until a full maintenance`);
    return {
      kind: 'left',
      reason: 'error',
      detail: `found at weight 0, left there (it goes back to ${back} only through a full maintenance; the tag ${savedWeightKey(serverId)} keeps that weight)`,
    };
  }
  if (original === undefined) {
    await unchanged(`the weight of ${serverId} was not changed by this run: nothing to put back`);
    return { kind: 'undone', detail: 'weight back to its original, host untouched' };
  }
  const loadBalancerId = String(resolveRef(drain.params.loadBalancerId, ctx.state));
  const result = await settleWeight(ctx, loadBalancerId, serverId, () =>
    ctx.gateMutex.run(() =>
      setWeight(ctx, {
        step: drain.id,
        opId: `${drain.id}#rollback`,
        node,
        compensates: mark,
        loadBalancerId,
        serverId,
        to: original,
        expect: expectedWeightOf(ctx, serverId),
      }),
    ),
  );
  if (result.kind === 'drift')
    return { kind: 'drift', detail: `not rolled back, ${result.detail}` };
  if (result.kind === 'error') {
    return {
      kind: 'error',
      detail: `could not put it back to weight ${original}: ${result.detail}`,
    };
  }
  // Found serving below its saved weight (a ramp that stopped): back where it was found and
  // still on its way to the saved weight, which its tag keeps.
  const stillBound = typeof back === 'number' && back > original;
  if (original > 0 && !stillBound) {
    await forgetSavedWeight(
      ctx,
      { loadBalancerId, serverId, node },
      `${serverId} is back at weight ${original}`,
    );
  }
  const kept = stillBound ? `; the tag ${savedWeightKey(serverId)} keeps ${back}` : '';
  return { kind: 'undone', detail: `weight back to ${original}, host untouched${kept}` };
}

/** The undo of `node.restore`: the weight its ramp began at. */
export function takeBackOut(
  ctx: RunContext,
  step: RestoreStep,
  mark: Compensates,
): Promise<Compensated> {
  if (step.params.attachments !== undefined) {
    return pullToZeroEverywhere(ctx, step, step.params.attachments, mark);
  }
  return step.phase === 'rollout' ? pullToZero(ctx, step, mark) : undoBringIn(ctx, step, mark);
}

/** A node whose host changed goes back to weight 0: it must not serve unproven. */
async function pullToZero(
  ctx: RunContext,
  restore: RestoreStep,
  mark: Compensates,
): Promise<Compensated> {
  const { serverId } = restore.params;
  const node = restore.node ?? serverId;
  if (
    ctx.state.weights.get(serverId) === 0 &&
    ![...ctx.state.pendingIntents.values()].some((i) => i.target.serverId === serverId)
  ) {
    // A ramp that began and is at 0 again says so; one that never began has nothing to undo.
    if (ctx.state.nodes.get(node)?.state === 'restoring') {
      await ctx.record({
        type: 'note',
        node,
        message: `${serverId} is at weight 0 already: nothing to take back`,
        compensates: mark,
      });
    }
    return { kind: 'undone', detail: 'at weight 0' };
  }
  const loadBalancerId = String(resolveRef(restore.params.loadBalancerId, ctx.state));
  const result = await settleWeight(ctx, loadBalancerId, serverId, () =>
    ctx.gateMutex.run(() =>
      setWeight(ctx, {
        step: restore.id,
        opId: `${restore.id}#pull`,
        node,
        compensates: mark,
        loadBalancerId,
        serverId,
        to: 0,
        expect: expectedWeightOf(ctx, serverId),
      }),
    ),
  );
  if (result.kind === 'drift') {
    return { kind: 'drift', detail: `not taken back to weight 0: ${result.detail}` };
  }
  if (result.kind === 'error') {
    return { kind: 'error', detail: `could not take it back to weight 0: ${result.detail}` };
  }
  // At 0 it takes no new connection; the ones its ramp gave it go too (behind a tcp listener
  // they would keep reaching a server that was answering errors).
  const release = restore.params.releaseConnections;
  if (release === undefined) return { kind: 'undone', detail: 'taken back to weight 0' };
  const released = await releaseConnections(ctx, restore, release, `${restore.id}#release`, mark);
  return { kind: 'undone', detail: `taken back to weight 0; ${released.detail}` };
}

/**
 * A server being brought into service (before the rollout) failed its ramp: its weight goes
 * back to where the ramp began (the weight it was added at), unless someone else changed it.
 */
async function undoBringIn(
  ctx: RunContext,
  step: RestoreStep,
  mark: Compensates,
): Promise<Compensated> {
  const { serverId } = step.params;
  const node = step.node === undefined ? {} : { node: step.node };
  const first = ctx.journal.mutations.find(
    (e) => e.type === 'intent' && e.step === step.id && e.op === 'set-weight',
  );
  if (first?.type !== 'intent') {
    await ctx.record({
      type: 'note',
      ...node,
      message: `${serverId} was not moved by its ramp: nothing to put back`,
      compensates: mark,
    });
    return { kind: 'undone', detail: 'not moved' };
  }
  const result = await ctx.gateMutex.run(() =>
    setWeight(ctx, {
      step: step.id,
      opId: `${step.id}#rollback`,
      ...node,
      compensates: mark,
      loadBalancerId: String(resolveRef(step.params.loadBalancerId, ctx.state)),
      serverId,
      to: Number(first.before.weight),
      expect: expectedWeightOf(ctx, serverId),
    }),
  );
  await ctx.record({
    type: 'note',
    ...node,
    message: result.ok
      ? `${serverId} put back to weight ${first.before.weight}, where its ramp into service began`
      : `${serverId} not put back: ${result.drift}`,
    ...(result.ok ? {} : { compensates: mark }),
  });
  return result.ok
    ? { kind: 'undone', detail: `back to weight ${first.before.weight}` }
    : { kind: 'drift', detail: result.drift };
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
