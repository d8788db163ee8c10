/**
 * Observing the balancer right before a node leaves service, and everything that drifted from
 * the plan plus this run's own journaled changes: backends added or removed, weights changed
 * by someone else, listeners added or removed, a listener that was running and is not now.
 */
import type { BackendServer, ListenerProtocol, LoadBalancerInfo } from '../../ports/index.js';
import type { RunContext } from '../execution/run-context.js';
import { backendDrift, listenerDrift } from '../policy/drift.js';
import { expectedWeightOf } from './weights.js';

export async function observeBalancer(
  ctx: RunContext,
  loadBalancerId: string,
): Promise<{ info: LoadBalancerInfo; drift: string[] }> {
  const info = await ctx.ports.loadBalancer.describe(loadBalancerId);
  const drift = balancerDrift(ctx, info);
  for (const listener of runningListeners(ctx)) {
    if (!info.listeners.some((l) => l.port === listener.port && l.protocol === listener.protocol)) {
      continue; // already reported as removed
    }
    const live = await ctx.ports.loadBalancer.describeListener(
      loadBalancerId,
      listener.port,
      listener.protocol,
    );
    if (live !== undefined && live.status !== 'running') {
      drift.push(
        `listener ${listener.port}/${listener.protocol} is ${live.status}, it was running`,
      );
    }
  }
  return { info, drift };
}

/** Listeners that were running at plan time or that this run started. */
function runningListeners(ctx: RunContext): Array<{ port: number; protocol: ListenerProtocol }> {
  const { state } = ctx;
  const observed = state.plan.loadBalancer.create ? undefined : state.plan.inventory.loadBalancer;
  const started = state.plan.steps.flatMap((s) =>
    s.action === 'lb.start-listener' && state.completedSteps.has(s.id)
      ? [{ port: s.params.port, protocol: s.params.protocol }]
      : [],
  );
  const running = [
    ...(observed?.listenerDetails ?? []).filter((l) => l.status === 'running'),
    ...started,
  ];
  return [...new Map(running.map((l) => [`${l.port}/${l.protocol}`, l])).values()];
}

/**
 * Everything that drifted on the balancer relative to the plan and this run's own changes:
 * backends added or removed, weights changed by someone else, listeners added or removed.
 */
export function balancerDrift(ctx: RunContext, info: LoadBalancerInfo): string[] {
  const { state } = ctx;
  const observed = state.plan.loadBalancer.create ? undefined : state.plan.inventory.loadBalancer;
  const expected = new Map<string, number[]>();
  const known: string[] = [
    ...(observed?.backends.map((b) => b.serverId) ?? []),
    ...state.addedBackends.keys(),
    ...state.weights.keys(),
  ];
  const created = state.plan.loadBalancer.create;
  if (observed === undefined && !created) {
    // Without an observation of the balancer only the plan's nodes can be checked.
    known.push(...state.plan.nodes.map((n) => n.id));
  }
  const planWeights = new Map(state.plan.nodes.map((n) => [n.id, n.weight]));
  for (const id of new Set(known)) expected.set(id, expectedWeightOf(ctx, id, planWeights.get(id)));
  const complete = observed !== undefined || created;
  const live: BackendServer[] = complete
    ? info.backends
    : info.backends.filter((b) => expected.has(b.serverId));
  const drift = backendDrift(expected, live);
  if (complete) {
    const listeners = [
      ...(observed?.listeners ?? []),
      ...state.listenersEnsured.map((l) => ({ port: l.port, protocol: l.protocol as 'tcp' })),
    ];
    const unique = [...new Map(listeners.map((l) => [`${l.port}/${l.protocol}`, l])).values()];
    drift.push(...listenerDrift(unique, info.listeners));
  }
  return drift;
}
