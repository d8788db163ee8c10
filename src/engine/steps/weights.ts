/**
 * Changing a backend's weight, the only mutation a rollout makes on the balancer: re-read the
 * live weight, refuse if it is not what this run expects (drift), journal the intent with the
 * live weight as before-state, send, journal the result.
 */

import type { RunContext } from '../execution/run-context.js';
import type { Compensates } from '../journal/entries.js';

export interface SetWeightRequest {
  step: string;
  opId: string;
  node?: string;
  /** The change undoes a step (a compensation): its intent says which. */
  compensates?: Compensates;
  loadBalancerId: string;
  serverId: string;
  to: number;
  /** Live weights this change may start from; anything else is drift. */
  expect: readonly number[];
}

export type SetWeightResult = { ok: true; before: number } | { ok: false; drift: string };

export async function setWeight(
  ctx: RunContext,
  request: SetWeightRequest,
): Promise<SetWeightResult> {
  const live = await ctx.ports.loadBalancer.listBackends(request.loadBalancerId);
  const backend = live.find((b) => b.serverId === request.serverId);
  if (backend === undefined) {
    return {
      ok: false,
      drift: `backend ${request.serverId} is no longer attached to ${request.loadBalancerId}`,
    };
  }
  if (!request.expect.includes(backend.weight)) {
    return {
      ok: false,
      drift: `weight of ${request.serverId} is ${backend.weight}, expected ${request.expect.join(' or ')} (changed by someone else)`,
    };
  }
  await applyWeight(ctx, request, backend.weight);
  return { ok: true, before: backend.weight };
}

/** Journal and send a weight change whose before-state has just been observed. */
export async function applyWeight(
  ctx: RunContext,
  request: Omit<SetWeightRequest, 'expect'>,
  before: number,
): Promise<void> {
  const target = { loadBalancerId: request.loadBalancerId, serverId: request.serverId };
  await ctx.record({
    type: 'intent',
    step: request.step,
    opId: request.opId,
    op: 'set-weight',
    ...(request.node === undefined ? {} : { node: request.node }),
    target,
    before: { weight: before },
    to: { weight: request.to },
    ...(request.compensates === undefined ? {} : { compensates: request.compensates }),
  });
  if (before !== request.to) {
    try {
      await ctx.ports.loadBalancer.setBackendWeights(request.loadBalancerId, [
        { serverId: request.serverId, weight: request.to },
      ]);
    } catch (error) {
      await settleUnknownWeight(ctx, request, before);
      throw error;
    }
  }
  await ctx.record({
    type: 'result',
    step: request.step,
    opId: request.opId,
    op: 'set-weight',
    ...(request.node === undefined ? {} : { node: request.node }),
    applied: true,
    after: { serverId: request.serverId, weight: request.to },
  });
}

/**
 * The change failed with an error, so it may or may not have happened: read the weight back and
 * journal what is true, so nothing stays in doubt. If it cannot be read, the intent stays open
 * and `resume` reconciles it.
 */
async function settleUnknownWeight(
  ctx: RunContext,
  request: Omit<SetWeightRequest, 'expect'>,
  before: number,
): Promise<void> {
  let live: number | undefined;
  try {
    const backends = await ctx.ports.loadBalancer.listBackends(request.loadBalancerId);
    live = backends.find((b) => b.serverId === request.serverId)?.weight;
  } catch {
    return;
  }
  if (live !== request.to && live !== before) return;
  await ctx.record({
    type: 'result',
    step: request.step,
    opId: request.opId,
    op: 'set-weight',
    ...(request.node === undefined ? {} : { node: request.node }),
    applied: live === request.to,
    after: { serverId: request.serverId, weight: live },
    reconciled: true,
  });
}

/** The weight(s) this run expects a backend to have right now. */
export function expectedWeightOf(ctx: RunContext, serverId: string, planWeight?: number): number[] {
  const { state } = ctx;
  const allowed = new Set<number>();
  const confirmed = state.weights.get(serverId);
  if (confirmed !== undefined) allowed.add(confirmed);
  else {
    const observed = state.plan.inventory.loadBalancer?.backends.find(
      (b) => b.serverId === serverId,
    )?.weight;
    const fallback = observed ?? planWeight;
    if (fallback !== undefined) allowed.add(fallback);
  }
  for (const intent of state.pendingIntents.values()) {
    if (intent.op !== 'set-weight' || intent.target.serverId !== serverId) continue;
    allowed.add(Number(intent.before.weight));
    allowed.add(Number(intent.to.weight));
  }
  return [...allowed];
}
