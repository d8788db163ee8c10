/**
 * `inventory.redis` in sentinel mode against real Redis under Sentinel (one master, two replicas,
 * three sentinels): the observer reads what the sentinels and each node say; `drainctl plan`
 * prints it when it is what the workflow expects and refuses the plan (exit 3) naming every
 * difference when it is not; `inspect` fails its redis line with the same differences.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ioredisObserver } from '#src/adapters/redis/ioredis-observer.js';
import { type RedisSentinelProcesses, startRedisSentinel } from '#support/redis-sentinel.js';
import { drainctl, type RunEnv, runEnvPerTest } from '#support/rollout-on-emulator.js';

let redis: RedisSentinelProcesses;
beforeAll(async () => {
  redis = await startRedisSentinel();
}, 60_000);
afterAll(async () => {
  await redis?.stop();
});

const runEnv = runEnvPerTest();

async function withInventory(env: RunEnv, sentinels: string[], expect: string): Promise<void> {
  await writeFile(
    env.workflow,
    `${await readFile(env.workflow, 'utf8')}inventory:\n  redis:\n    mode: sentinel\n    sentinels: [${sentinels.join(', ')}]\n    masterName: ${redis.masterName}\n    timeoutSeconds: 2\n    expect: ${expect}\n`,
  );
}

describe('inventory.redis in sentinel mode against real sentinels', () => {
  it('reads the master, its two replicas and the three sentinels with their quorum', async () => {
    const view = await ioredisObserver().observeSentinel(redis.sentinels, redis.masterName, {
      timeoutMs: 5000,
    });
    expect(view.quorum).toBe(2);
    expect(view.knownSentinels).toBe(3);
    expect(view.sentinels.map((s) => s.master)).toEqual([
      redis.nodes[0],
      redis.nodes[0],
      redis.nodes[0],
    ]);
    const [master, ...replicas] = view.nodes;
    expect(master).toMatchObject({ address: redis.nodes[0], listedAs: 'master', role: 'master' });
    expect(replicas.map((n) => n.address).sort()).toEqual(redis.nodes.slice(1).sort());
    for (const replica of replicas)
      expect(replica).toMatchObject({
        listedAs: 'replica',
        role: 'replica',
        masterAddress: redis.nodes[0],
        linkUp: true,
        down: false,
      });
    expect(view.nodes.every((n) => /^\d+\.\d+\.\d+$/.test(n.version ?? ''))).toBe(true);
  });

  it('plans when the topology is as expected and prints what it found', async () => {
    const env = await runEnv();
    await withInventory(env, redis.sentinels, '{ replicas: 2, minVersion: "6.2" }');
    const plan = await drainctl(env, ['plan', env.workflow]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(
      /Redis sentinel: master drainctl at 127\.\d+\.\d+\.\d+:\d+, 2 replicas, 3\/3 sentinels answering \(quorum 2\), redis \d+\.\d+\.\d+ \(asked 127\.\d+\.\d+\.\d+:\d+\): as expected/,
    );
  }, 60_000);

  it('refuses the plan with exit 3, naming each difference from the inventory', async () => {
    const env = await runEnv();
    // A fourth sentinel that does not run: still a quorum, but not the sentinels listed.
    const absent = '127.0.0.1:1';
    await withInventory(env, [...redis.sentinels, absent], '{ replicas: 3, minVersion: "99.0" }');
    const plan = await drainctl(env, ['plan', env.workflow]);
    expect(plan.code, plan.stdout).toBe(3);
    expect(plan.stderr).toContain(
      `inventory.redis.expect.replicas: expected 3 replica(s) of ${redis.nodes[0]} with their link up, found 2: 127.`,
    );
    expect(plan.stderr).toContain(
      'inventory.redis.sentinels: expected 4 sentinel(s) watching drainctl, as listed, found 127.',
    );
    expect(plan.stderr).toMatch(
      /inventory\.redis\.expect\.minVersion: expected redis 99\.0 or newer on every node, found 127\.\d+\.\d+\.\d+:\d+ \d/,
    );
    expect(plan.stderr).not.toContain('quorum');

    const inspect = await drainctl(env, ['inspect', env.workflow, '--json']);
    const lines = JSON.parse(inspect.stdout).checklist as Array<{
      id: string;
      status: string;
      detail: string;
    }>;
    const line = lines.find((l) => l.id === 'redis');
    expect(line?.status).toBe('fail');
    expect(line?.detail).toContain(
      `inventory.redis.expect.replicas: expected 3 replica(s) of ${redis.nodes[0]} with their link up, found 2`,
    );
  }, 60_000);

  it('refuses the plan when fewer sentinels than the quorum answer', async () => {
    const env = await runEnv();
    const [one] = redis.sentinels;
    await withInventory(env, [one ?? '', '127.0.0.1:1', '127.0.0.1:2'], '{ replicas: 2 }');
    const plan = await drainctl(env, ['plan', env.workflow]);
    expect(plan.code, plan.stdout).toBe(3);
    expect(plan.stderr).toContain(
      'inventory.redis.sentinels: expected at least 2 sentinel(s) answering (the quorum of drainctl), found 1:',
    );
  }, 60_000);
});
