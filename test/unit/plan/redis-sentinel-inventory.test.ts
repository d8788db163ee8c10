import { describe, expect, it } from 'vitest';
import { redisInventoryDifferences } from '#src/plan/redis-inventory.js';
import type { RedisSentinelView } from '#src/ports/index.js';
import type { RedisSentinelInventorySpec } from '#src/workflow/index.js';

const M = '10.0.0.1:6379';
const SPEC: RedisSentinelInventorySpec = {
  mode: 'sentinel',
  sentinels: ['10.0.0.1:26379', '10.0.0.2:26379', '10.0.0.3:26379'],
  masterName: 'main',
  timeoutSeconds: 5,
  expect: { replicas: 2, minVersion: '6.2' },
};

function view(over: Partial<RedisSentinelView> = {}): RedisSentinelView {
  return {
    mode: 'sentinel',
    masterName: 'main',
    askedAt: '10.0.0.1:26379',
    quorum: 2,
    knownSentinels: 3,
    sentinels: SPEC.sentinels.map((address) => ({ address, master: M })),
    nodes: [
      {
        address: M,
        listedAs: 'master',
        down: false,
        role: 'master',
        linkUp: false,
        version: '7.0.15',
      },
      ...['10.0.0.2:6379', '10.0.0.3:6379'].map((address) => ({
        address,
        listedAs: 'replica' as const,
        down: false,
        role: 'replica' as const,
        masterAddress: M,
        linkUp: true,
        version: '7.0.15',
      })),
    ],
    ...over,
  };
}

const lines = (v: RedisSentinelView) =>
  redisInventoryDifferences(SPEC, v).map((d) => `${d.path.join('.')}: ${d.expected} / ${d.found}`);

describe('inventory.redis in sentinel mode', () => {
  it('finds nothing to say when the topology is as expected', () => {
    expect(lines(view())).toEqual([]);
  });

  it('names a sentinel naming another master, a master that answers as a replica and a replica whose link is down', () => {
    const seen = view();
    seen.sentinels[2] = { address: '10.0.0.3:26379', master: '10.0.0.2:6379' };
    seen.nodes[0] = { ...seen.nodes[0], role: 'replica', masterAddress: '10.0.0.2:6379' } as never;
    seen.nodes[2] = { ...seen.nodes[2], linkUp: false } as never;
    expect(lines(seen)).toEqual([
      'inventory.redis.sentinels: every sentinel naming 10.0.0.1:6379 master of main (as 10.0.0.1:26379 does) / 10.0.0.3:26379 names 10.0.0.2:6379',
      'inventory.redis: the master the sentinels name (10.0.0.1:6379) up and answering as a master / 10.0.0.1:6379 a replica of 10.0.0.2:6379',
      'inventory.redis.expect.replicas: 2 replica(s) of 10.0.0.1:6379 with their link up / 1: 10.0.0.2:6379 (also listed: 10.0.0.3:6379 link not up)',
    ]);
  });

  it('names too few sentinels answering for the quorum, and a cluster observation for a sentinel inventory', () => {
    const seen = view({
      sentinels: SPEC.sentinels.map((address, i) =>
        i === 0 ? { address, master: M } : { address, error: 'connect ECONNREFUSED' },
      ),
    });
    expect(lines(seen)[0]).toBe(
      'inventory.redis.sentinels: at least 2 sentinel(s) answering (the quorum of main) / 1: 10.0.0.1:26379 answers, 10.0.0.2:26379 does not answer (connect ECONNREFUSED), 10.0.0.3:26379 does not answer (connect ECONNREFUSED)',
    );
    expect(
      redisInventoryDifferences(SPEC, {
        askedAt: 'x:1',
        clusterState: 'ok',
        slotsAssigned: 16384,
        nodes: [],
      }).map((d) => `${d.path.join('.')}: ${d.expected} / ${d.found}`),
    ).toEqual(['inventory.redis.mode: sentinel / an observation of cluster mode']);
  });
});
