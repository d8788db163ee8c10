/**
 * `inventory.redis` against a real Redis Cluster (three masters, three replicas): the observer
 * reads its topology as each node states it; `drainctl plan` prints what it found when it is what
 * the workflow expects, and refuses the plan (exit 3) naming every difference when it is not;
 * `inspect` fails its redis line with the same differences.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ioredisObserver } from '#src/adapters/redis/ioredis-observer.js';
import { type RedisClusterProcesses, startRedisCluster } from '#support/redis-cluster.js';
import { drainctl, type RunEnv, runEnvPerTest } from '#support/rollout-on-emulator.js';

let cluster: RedisClusterProcesses;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const runEnv = runEnvPerTest();

async function withInventory(env: RunEnv, expect: string): Promise<void> {
  const seeds = `[${cluster.addresses.slice(0, 2).join(', ')}]`;
  await writeFile(
    env.workflow,
    `${await readFile(env.workflow, 'utf8')}inventory:\n  redis:\n    seeds: ${seeds}\n    expect: ${expect}\n`,
  );
}

describe('inventory.redis against a real cluster', () => {
  it('reads three masters with all 16384 slots and three replicas, each with its version', async () => {
    const view = await ioredisObserver().observeCluster(cluster.addresses, { timeoutMs: 5000 });
    expect(view.clusterState).toBe('ok');
    expect(view.slotsAssigned).toBe(16384);
    const masters = view.nodes.filter((n) => n.role === 'master');
    expect(masters).toHaveLength(3);
    expect(masters.reduce((sum, n) => sum + n.slots, 0)).toBe(16384);
    const replicas = view.nodes.filter((n) => n.role === 'replica');
    expect(replicas.map((n) => masters.some((m) => m.id === n.masterId))).toEqual([
      true,
      true,
      true,
    ]);
    expect(view.nodes.every((n) => /^\d+\.\d+\.\d+$/.test(n.version ?? ''))).toBe(true);
    expect(view.nodes.some((n) => n.failing)).toBe(false);
  });

  it('plans when the cluster is as expected and prints what it found', async () => {
    const env = await runEnv();
    await withInventory(env, '{ masters: 3, replicas: 3, minVersion: "6.2" }');
    const plan = await drainctl(env, ['plan', env.workflow]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(
      /Redis cluster: {2}3 masters, 3 replicas, 16384\/16384 slots, cluster_state ok, redis \d+\.\d+\.\d+ \(asked 127\.\d+\.\d+\.\d+:\d+\): as expected/,
    );
  }, 60_000);

  it('refuses the plan with exit 3, naming each difference from the inventory', async () => {
    const env = await runEnv();
    await withInventory(env, '{ masters: 4, replicas: 3, minVersion: "99.0" }');
    const plan = await drainctl(env, ['plan', env.workflow]);
    expect(plan.code, plan.stdout).toBe(3);
    expect(plan.stderr).toContain(
      'inventory.redis.expect.masters: expected 4 master(s) serving slots, found 3: 127.',
    );
    expect(plan.stderr).toMatch(
      /inventory\.redis\.expect\.minVersion: expected redis 99\.0 or newer on every node, found 127\.\d+\.\d+\.\d+:\d+ \d/,
    );
    expect(plan.stderr).not.toContain('expect.replicas');

    const inspect = await drainctl(env, ['inspect', env.workflow, '--json']);
    const lines = JSON.parse(inspect.stdout).checklist as Array<{
      id: string;
      status: string;
      detail: string;
    }>;
    const redis = lines.find((line) => line.id === 'redis');
    expect(redis?.status).toBe('fail');
    expect(redis?.detail).toContain(
      'inventory.redis.expect.masters: expected 4 master(s) serving slots, found 3: 127.',
    );
  }, 60_000);
});
