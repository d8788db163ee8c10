/**
 * `inventory.redis` in sentinel mode against what the sentinels and the nodes they list say:
 * enough of the listed sentinels answering to reach their quorum, all naming the same master and
 * knowing each other, the master answering as a master, the expected count of replicas following
 * it with their link up, and every node's version. Pure.
 */
import type { RedisSentinelView } from '../ports/index.js';
import type { RedisSentinelInventorySpec } from '../workflow/index.js';
import { addresses, type InventoryDifference, olderThan } from './inventory-difference.js';

const REDIS = ['inventory', 'redis'] as const;

export function redisSentinelDifferences(
  spec: RedisSentinelInventorySpec,
  view: RedisSentinelView,
): InventoryDifference[] {
  const differences: InventoryDifference[] = [];
  const add = (path: readonly (string | number)[], expected: string, found: string): void => {
    differences.push({ path: [...path], expected, found });
  };
  const master = view.nodes.find((n) => n.listedAs === 'master');
  const masterAddress = master?.address ?? '?';

  const answered = view.sentinels.filter((s) => s.master !== undefined);
  if (answered.length < view.quorum) {
    add(
      [...REDIS, 'sentinels'],
      `at least ${view.quorum} sentinel(s) answering (the quorum of ${view.masterName})`,
      `${answered.length}: ${view.sentinels.map((s) => `${s.address} ${s.error === undefined ? 'answers' : `does not answer (${s.error})`}`).join(', ')}`,
    );
  }
  const disagreeing = answered.filter((s) => s.master !== masterAddress);
  if (disagreeing.length > 0) {
    add(
      [...REDIS, 'sentinels'],
      `every sentinel naming ${masterAddress} master of ${view.masterName} (as ${view.askedAt} does)`,
      disagreeing.map((s) => `${s.address} names ${s.master}`).join(', '),
    );
  }
  if (view.knownSentinels !== spec.sentinels.length) {
    add(
      [...REDIS, 'sentinels'],
      `${spec.sentinels.length} sentinel(s) watching ${view.masterName}, as listed`,
      `${view.askedAt} knows ${view.knownSentinels} (itself included)`,
    );
  }
  if (master === undefined || master.down || master.role !== 'master') {
    add(
      REDIS,
      `the master the sentinels name (${masterAddress}) up and answering as a master`,
      master === undefined
        ? 'none named'
        : master.down
          ? `${masterAddress} flagged down by ${view.askedAt}`
          : master.role === undefined
            ? `${masterAddress} not answering`
            : `${masterAddress} a replica of ${master.masterAddress ?? 'an unknown master'}`,
    );
  }
  const listed = view.nodes.filter((n) => n.listedAs === 'replica');
  const following = listed.filter(
    (n) => !n.down && n.role === 'replica' && n.masterAddress === masterAddress && n.linkUp,
  );
  if (following.length !== spec.expect.replicas) {
    const others = listed.filter((n) => !following.includes(n));
    add(
      ['inventory', 'redis', 'expect', 'replicas'],
      `${spec.expect.replicas} replica(s) of ${masterAddress} with their link up`,
      `${following.length}: ${addresses(following)}${others.length === 0 ? '' : ` (also listed: ${others.map((n) => `${n.address} ${replicaProblem(n, masterAddress)}`).join(', ')})`}`,
    );
  }
  const older = olderThan(spec.expect.minVersion, view.nodes);
  if (older !== undefined) differences.push(older);
  return differences;
}

function replicaProblem(node: RedisSentinelView['nodes'][number], master: string): string {
  if (node.down) return 'flagged down';
  if (node.role === undefined) return 'not answering';
  if (node.role === 'master') return 'a master';
  if (node.masterAddress !== master) return `a replica of ${node.masterAddress ?? '?'}`;
  return 'link not up';
}

/** One line for the runbook: what the plan found, which is what it expects. */
export function describeRedisSentinel(view: RedisSentinelView): string {
  const master = view.nodes.find((n) => n.listedAs === 'master');
  const replicas = view.nodes.filter((n) => n.listedAs === 'replica').length;
  const answered = view.sentinels.filter((s) => s.master !== undefined).length;
  const versions = [...new Set(view.nodes.map((n) => n.version ?? '?'))].join(', ');
  return `master ${view.masterName} at ${master?.address ?? '?'}, ${replicas} replicas, ${answered}/${view.sentinels.length} sentinels answering (quorum ${view.quorum}), redis ${versions} (asked ${view.askedAt})`;
}
