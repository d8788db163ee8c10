import { describe, expect, it } from 'vitest';
import { parseClusterNodes, parseReplication } from '#src/adapters/redis/cluster-nodes.js';
import { PlanProblems } from '#src/plan/plan-problems.js';
import { checkRedisInventory, compareVersions } from '#src/plan/redis-inventory.js';
import type { RedisClusterView } from '#src/ports/index.js';

const NODES = `a1 10.0.0.1:6379@16379 myself,master - 0 0 1 connected 0-5460
a2 10.0.0.2:6379@16379 master - 0 0 2 connected 5461-10922 [10923->-a3]
a3 10.0.0.3:6379@16379,redis-3 master - 0 0 3 connected 10923-16383
b1 10.0.0.4:6379@16379 slave a1 0 0 1 connected
b2 10.0.0.5:6379@16379 slave,fail a2 0 0 2 disconnected
`;

function view(over: Partial<RedisClusterView> = {}): RedisClusterView {
  return {
    askedAt: '10.0.0.1:6379',
    clusterState: 'ok',
    slotsAssigned: 16384,
    nodes: parseClusterNodes(NODES).map((n) => ({ ...n, version: '7.0.15' })),
    ...over,
  };
}

function problemsOf(
  expect: { masters: number; replicas: number; minVersion?: string },
  seen: RedisClusterView,
) {
  const problems = new PlanProblems();
  checkRedisInventory(
    {
      mode: 'cluster',
      seeds: ['10.0.0.1:6379'],
      timeoutSeconds: 5,
      expect: { allSlotsCovered: true, ...expect },
    },
    seen,
    problems,
  );
  try {
    problems.throwIfAny({ file: 'w.yaml', text: 'name: w\n' });
    return [];
  } catch (error) {
    return (
      error as { issues: Array<{ path: string; expected: string; found: string }> }
    ).issues.map((i) => `${i.path}: ${i.expected} / ${i.found}`);
  }
}

describe('CLUSTER NODES', () => {
  it('reads roles, masters, slot counts (migrating slots not counted), failing nodes and the announced address', () => {
    const nodes = parseClusterNodes(NODES);
    expect(nodes.map((n) => [n.id, n.address, n.role, n.masterId, n.slots, n.failing])).toEqual([
      ['a1', '10.0.0.1:6379', 'master', undefined, 5461, false],
      ['a2', '10.0.0.2:6379', 'master', undefined, 5462, false],
      ['a3', '10.0.0.3:6379', 'master', undefined, 5461, false],
      ['b1', '10.0.0.4:6379', 'replica', 'a1', 0, false],
      ['b2', '10.0.0.5:6379', 'replica', 'a2', 0, true],
    ]);
  });
});

describe('inventory.redis against the observation', () => {
  it('compares versions numerically, missing parts as 0', () => {
    expect(compareVersions('7.0.15', '7.0')).toBeGreaterThan(0);
    expect(compareVersions('7.0', '7.0.0')).toBe(0);
    expect(compareVersions('6.10.0', '6.9')).toBeGreaterThan(0);
    expect(compareVersions('6.2.14', '7')).toBeLessThan(0);
  });

  it('names every difference: counts, uncovered slots, a failing node, an old version', () => {
    expect(
      problemsOf(
        { masters: 3, replicas: 3, minVersion: '7.2' },
        view({ clusterState: 'fail', slotsAssigned: 10923 }),
      ),
    ).toEqual([
      'inventory.redis.expect.replicas: 3 replica(s) / 2: 10.0.0.4:6379, 10.0.0.5:6379',
      'inventory.redis.expect.allSlotsCovered: all 16384 slots served and cluster_state ok / 10923 slots assigned, cluster_state fail (asked 10.0.0.1:6379)',
      'inventory.redis: every node connected and none failing / 10.0.0.5:6379',
      'inventory.redis.expect.minVersion: redis 7.2 or newer on every node / 10.0.0.1:6379 7.0.15, 10.0.0.2:6379 7.0.15, 10.0.0.3:6379 7.0.15, 10.0.0.4:6379 7.0.15, 10.0.0.5:6379 7.0.15',
    ]);
  });

  it('finds nothing to say when the cluster is as expected', () => {
    const healthy = view({
      nodes: view().nodes.map((n) => ({ ...n, failing: false })),
    });
    expect(problemsOf({ masters: 3, replicas: 2, minVersion: '7.0' }, healthy)).toEqual([]);
  });
});

describe('INFO replication as a node status', () => {
  it('reads a replica: its master, link, sync and its own offset (slave_repl_offset)', () => {
    const status = parseReplication(
      'r1',
      '# Replication\r\nrole:slave\r\nmaster_host:10.0.0.1\r\nmaster_port:6379\r\nmaster_link_status:up\r\nmaster_sync_in_progress:0\r\nslave_repl_offset:1200\r\nmaster_repl_offset:1300\r\n',
      'cluster_state:ok\r\n',
    );
    expect(status).toEqual({
      id: 'r1',
      role: 'replica',
      offset: 1200,
      masterAddress: '10.0.0.1:6379',
      linkUp: true,
      syncInProgress: false,
      clusterState: 'ok',
    });
  });

  it('reads a master: its offset, no link of its own; a failing cluster_state', () => {
    expect(
      parseReplication(
        'm1',
        'role:master\nconnected_slaves:1\nslave0:ip=10.0.0.4,port=6379,state=online,offset=90,lag=0\nmaster_repl_offset:99\n',
        'cluster_state:fail\n',
      ),
    ).toEqual({
      id: 'm1',
      role: 'master',
      offset: 99,
      linkUp: false,
      syncInProgress: false,
      clusterState: 'fail',
    });
  });
});
