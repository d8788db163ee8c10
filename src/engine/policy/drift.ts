/**
 * Drift: the world is not what the plan (and this run's own journaled changes) say it should
 * be. Pure comparisons; the executor observes right before a mutation and halts before it if
 * any of these come back non-empty, quoting them.
 */
import type { BackendServer, ListenerProtocol } from '../../ports/index.js';

/** Weights the run expects per backend; several when one of our own changes is in flight. */
export type ExpectedWeights = ReadonlyMap<string, readonly number[]>;

export function backendDrift(expected: ExpectedWeights, live: readonly BackendServer[]): string[] {
  const drift: string[] = [];
  const liveIds = new Set(live.map((b) => b.serverId));
  for (const backend of live) {
    const allowed = expected.get(backend.serverId);
    if (allowed === undefined) {
      drift.push(`backend ${backend.serverId} was added (weight ${backend.weight}) since the plan`);
    } else if (!allowed.includes(backend.weight)) {
      drift.push(
        `weight of ${backend.serverId} is ${backend.weight}, expected ${allowed.join(' or ')} (changed by someone else)`,
      );
    }
  }
  for (const [serverId] of expected) {
    if (!liveIds.has(serverId)) drift.push(`backend ${serverId} was removed since the plan`);
  }
  return drift;
}

export interface ListenerKey {
  port: number;
  protocol: ListenerProtocol;
}

export function listenerDrift(
  expected: readonly ListenerKey[],
  live: readonly ListenerKey[],
): string[] {
  const key = (l: ListenerKey) => `${l.port}/${l.protocol}`;
  const liveKeys = new Set(live.map(key));
  const expectedKeys = new Set(expected.map(key));
  return [
    ...[...expectedKeys].filter((k) => !liveKeys.has(k)).map((k) => `listener ${k} was removed`),
    ...[...liveKeys].filter((k) => !expectedKeys.has(k)).map((k) => `listener ${k} was added`),
  ];
}
