/**
 * The workflow's `inventory.redis` against what the cluster (or the sentinels and their nodes)
 * say about themselves: every difference is a plan problem (exit 3, the plan refused) naming what
 * was expected and what was found. Pure; the observation is made by src/app (observe-inventory.ts).
 */
import type { RedisClusterView, RedisSentinelView } from '../ports/index.js';
import type { RedisClusterInventorySpec, RedisInventorySpec } from '../workflow/index.js';
import { addresses, EXPECT, type InventoryDifference, olderThan } from './inventory-difference.js';
import type { PlanProblems } from './plan-problems.js';
import { describeRedisSentinel, redisSentinelDifferences } from './redis-sentinel-inventory.js';

export { compareVersions, type InventoryDifference } from './inventory-difference.js';

export type RedisView = RedisClusterView | RedisSentinelView;

/** Redis Cluster's hash slots. */
export const REDIS_CLUSTER_SLOTS = 16384;

export function checkRedisInventory(
  spec: RedisInventorySpec,
  view: RedisView | undefined,
  problems: PlanProblems,
): void {
  if (view === undefined) {
    problems.add(['inventory', 'redis'], 'the Redis observed', 'no observation of it');
    return;
  }
  for (const { path, expected, found } of redisInventoryDifferences(spec, view)) {
    problems.add(path, expected, found);
  }
}

/** What differs between the workflow's expectation and the Redis observed; empty when nothing does. */
export function redisInventoryDifferences(
  spec: RedisInventorySpec,
  view: RedisView,
): InventoryDifference[] {
  const sentinel = 'mode' in view;
  if (spec.mode === 'sentinel' && sentinel) return redisSentinelDifferences(spec, view);
  if (spec.mode === 'cluster' && !sentinel) return clusterDifferences(spec, view);
  return [
    {
      path: ['inventory', 'redis', 'mode'],
      expected: spec.mode,
      found: `an observation of ${sentinel ? 'sentinel' : 'cluster'} mode`,
    },
  ];
}

function clusterDifferences(
  spec: RedisClusterInventorySpec,
  view: RedisClusterView,
): InventoryDifference[] {
  const differences: InventoryDifference[] = [];
  const add = (path: readonly (string | number)[], expected: string, found: string): void => {
    differences.push({ path: [...path], expected, found });
  };
  const { expect } = spec;
  const masters = view.nodes.filter((n) => n.role === 'master' && n.slots > 0);
  const replicas = view.nodes.filter((n) => n.role === 'replica');
  if (masters.length !== expect.masters) {
    add(
      [...EXPECT, 'masters'],
      `${expect.masters} master(s) serving slots`,
      `${masters.length}: ${addresses(masters)}`,
    );
  }
  if (replicas.length !== expect.replicas) {
    add(
      [...EXPECT, 'replicas'],
      `${expect.replicas} replica(s)`,
      `${replicas.length}: ${addresses(replicas)}`,
    );
  }
  if (expect.allSlotsCovered) {
    if (view.slotsAssigned !== REDIS_CLUSTER_SLOTS || view.clusterState !== 'ok') {
      add(
        [...EXPECT, 'allSlotsCovered'],
        `all ${REDIS_CLUSTER_SLOTS} slots served and cluster_state ok`,
        `${view.slotsAssigned} slots assigned, cluster_state ${view.clusterState} (asked ${view.askedAt})`,
      );
    }
  }
  const failing = view.nodes.filter((n) => n.failing);
  if (failing.length > 0) {
    add(['inventory', 'redis'], 'every node connected and none failing', addresses(failing));
  }
  const older = olderThan(expect.minVersion, view.nodes);
  if (older !== undefined) differences.push(older);
  return differences;
}

/** The runbook's header line for what the plan found: its label and its text. */
export function describeRedis(view: RedisView): { label: string; text: string } {
  return 'mode' in view
    ? { label: 'Redis sentinel', text: describeRedisSentinel(view) }
    : { label: 'Redis cluster', text: describeRedisCluster(view) };
}

/** One line for the runbook: what the plan found, which is what it expects. */
export function describeRedisCluster(view: RedisClusterView): string {
  const masters = view.nodes.filter((n) => n.role === 'master' && n.slots > 0).length;
  const replicas = view.nodes.filter((n) => n.role === 'replica').length;
  const versions = [...new Set(view.nodes.map((n) => n.version ?? '?'))].join(', ');
  return `${masters} masters, ${replicas} replicas, ${view.slotsAssigned}/${REDIS_CLUSTER_SLOTS} slots, cluster_state ${view.clusterState}, redis ${versions} (asked ${view.askedAt})`;
}
