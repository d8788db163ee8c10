/**
 * The workflow's `inventory.redis` against what the cluster says about itself: every difference
 * is a plan problem (exit 3, the plan refused) naming what was expected and what was found.
 * Pure; the observation is made by src/app (observe-inventory.ts).
 */
import type { RedisClusterView } from '../ports/index.js';
import type { RedisInventorySpec } from '../workflow/index.js';
import type { PlanProblems } from './plan-problems.js';

/** Redis Cluster's hash slots. */
export const REDIS_CLUSTER_SLOTS = 16384;

const EXPECT = ['inventory', 'redis', 'expect'] as const;

export function checkRedisInventory(
  spec: RedisInventorySpec,
  view: RedisClusterView | undefined,
  problems: PlanProblems,
): void {
  if (view === undefined) {
    problems.add(['inventory', 'redis'], 'the cluster observed', 'no observation of it');
    return;
  }
  for (const { path, expected, found } of redisInventoryDifferences(spec, view)) {
    problems.add(path, expected, found);
  }
}

export interface InventoryDifference {
  path: Array<string | number>;
  expected: string;
  found: string;
}

/** What differs between the workflow's expectation and the cluster; empty when nothing does. */
export function redisInventoryDifferences(
  spec: RedisInventorySpec,
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
  const least = expect.minVersion;
  if (least !== undefined) {
    const older = view.nodes.filter(
      (n) => n.version === undefined || compareVersions(n.version, least) < 0,
    );
    if (older.length > 0) {
      add(
        [...EXPECT, 'minVersion'],
        `redis ${least} or newer on every node`,
        older.map((n) => `${n.address} ${n.version ?? 'not answering'}`).join(', '),
      );
    }
  }
  return differences;
}

/** One line for the runbook: what the plan found, which is what it expects. */
export function describeRedisCluster(view: RedisClusterView): string {
  const masters = view.nodes.filter((n) => n.role === 'master' && n.slots > 0).length;
  const replicas = view.nodes.filter((n) => n.role === 'replica').length;
  const versions = [...new Set(view.nodes.map((n) => n.version ?? '?'))].join(', ');
  return `${masters} masters, ${replicas} replicas, ${view.slotsAssigned}/${REDIS_CLUSTER_SLOTS} slots, cluster_state ${view.clusterState}, redis ${versions} (asked ${view.askedAt})`;
}

/** Numeric comparison of dotted versions; missing parts are 0 (`7.0` = `7.0.0`). */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const d = (left[i] ?? 0) - (right[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function addresses(nodes: ReadonlyArray<{ address: string }>): string {
  return nodes.map((n) => n.address).join(', ') || 'none';
}
