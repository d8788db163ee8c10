/**
 * The `redis.*` steps through the real runner (journal, executor) against a real Redis Cluster,
 * the other ports the in-memory world's, on the system clock: a master's failover moves its slots
 * to the replica journaled as chosen; the backup's file has the sha256 the journal keeps; rejoin
 * waits while the node is down and syncing, and passes once it has caught up; a master whose
 * only replica is down is not failed over, the run halts with it in service.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalHost } from '#src/adapters/local/local-host.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { ioredisMemberClient } from '#src/adapters/redis/ioredis-member.js';
import type { EnginePorts } from '#src/engine/engine-ports.js';
import { sha256Hex } from '#src/engine/sha256.js';
import { hashPlan } from '#src/plan/plan-hash.js';
import type { Plan, Step, StepAction } from '#src/plan/types.js';
import type { RedisMemberClient } from '#src/ports/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { resumeModel, runModel } from '#support/in-memory-runs.js';
import { InMemoryWorld } from '#support/in-memory-world.js';
import { type RedisClusterProcesses, startRedisCluster } from '#support/redis-cluster.js';

let cluster: RedisClusterProcesses;
let dir: string;
beforeAll(async () => {
  cluster = await startRedisCluster();
  dir = await mkdtemp(join(tmpdir(), 'drainctl-redis-steps-'));
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const NODE = 'i-node-1';

/** A plan of these steps alone, for the world's first node. */
function planOf(world: InMemoryWorld, actions: StepAction[]): Plan {
  const base = buildPlan(world, { minHealthy: 0, maxUnavailable: 1 });
  const steps = actions.map((action, i) => {
    const index = i + 1;
    return {
      ...action,
      id: `s${String(index).padStart(3, '0')}-${action.action}-${NODE}`,
      index,
      phase: 'rollout',
      batch: 0,
      node: NODE,
      description: action.action,
      mutates: action.action !== 'redis.rejoin',
      inverse: { kind: 'none' },
      expectedSeconds: 5,
    } as Step;
  });
  const { sha256: _sha256, ...unhashed } = { ...base, steps };
  return { ...unhashed, sha256: hashPlan(unhashed, sha256Hex) };
}

/** The real ports for the redis steps; `failover` replaced when the test says so. */
function realPorts(failover?: RedisMemberClient['failover']) {
  return (ports: EnginePorts): EnginePorts => ({
    ...ports,
    clock: systemClock,
    host: () => createLocalHost(),
    redis: { ...ioredisMemberClient(systemClock), ...(failover === undefined ? {} : { failover }) },
  });
}

function entriesOf(world: InMemoryWorld): Array<Record<string, unknown>> {
  return world.journalLines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function run(actions: StepAction[]) {
  const world = new InMemoryWorld(fleet(1), undefined, [], { clock: systemClock });
  const result = await runModel(world, planOf(world, actions), { wrap: realPorts() });
  if (result === 'crashed') throw new Error('crashed');
  return { result, entries: entriesOf(world) };
}

const target = (address: string) => ({ address, commandTimeoutSeconds: 5 });

/** `CLUSTER NODES` of `from`, or of the first node that answers. */
async function clusterNodesText(from?: string): Promise<string> {
  for (const address of from === undefined ? cluster.addresses : [from]) {
    try {
      return await cluster.cli(address, 'CLUSTER', 'NODES');
    } catch {
      // down: ask the next
    }
  }
  throw new Error('no node answers');
}

async function nodes(
  from?: string,
): Promise<Array<{ id: string; address: string; role: string; slots: string }>> {
  const text = await clusterNodesText(from);
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id = '', endpoint = '', flags = '', , , , , , ...slots] = line.split(' ');
      return {
        id,
        address: endpoint.split('@')[0] ?? '',
        role: flags.includes('master') ? 'master' : 'replica',
        slots: slots.join(' '),
      };
    });
}

/** A key whose hash slot lies in `slots` (`a-b`, as CLUSTER NODES lists a master's range). */
async function keyServedBy(address: string, slots: string): Promise<string> {
  const [from = 0, to = -1] = slots.split('-').map(Number);
  for (let i = 0; i < 1000; i += 1) {
    const slot = Number(await cluster.cli(address, 'CLUSTER', 'KEYSLOT', `key-${i}`));
    if (slot >= from && slot <= to) return `key-${i}`;
  }
  throw new Error(`no key in ${slots}`);
}

/**
 * Settled after an earlier case restarted a node: cluster_state ok everywhere, and no node
 * flagging another failing or with its link down, and every replica's link to its master up —
 * cluster_state alone is ok again while a restarted replica is still flagged `fail`.
 */
async function waitForClusterOk(): Promise<void> {
  for (let i = 0; i < 150; i += 1) {
    const views = await Promise.all(
      cluster.addresses.map(async (a) => ({
        info: await cluster.cli(a, 'CLUSTER', 'INFO'),
        nodes: await cluster.cli(a, 'CLUSTER', 'NODES'),
        replication: await cluster.cli(a, 'INFO', 'replication'),
      })),
    );
    const settled = views.every(
      ({ info, nodes, replication }) =>
        info.includes('cluster_state:ok') &&
        nodes
          .split('\n')
          .filter((line) => line.trim() !== '')
          .every((line) => {
            const fields = line.split(' ');
            return !/fail/.test(fields[2] ?? '') && fields[7] === 'connected';
          }) &&
        (!replication.includes('role:slave') || replication.includes('master_link_status:up')),
    );
    if (settled) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    'the cluster did not settle: a node failing, a link down or cluster_state not ok',
  );
}

describe('the redis.* steps against a real cluster', () => {
  it('backs a master up and fails it over: its slots move to the replica journaled as chosen', async () => {
    const before = await nodes();
    const master = before.find((n) => n.role === 'master');
    if (master === undefined) throw new Error('no master');
    const key = await keyServedBy(master.address, master.slots);
    expect(await cluster.cli(master.address, 'SET', key, 'kept')).toBe('OK\n');
    const backups = join(dir, 'backups');
    const { result, entries } = await run([
      {
        action: 'redis.backup',
        params: {
          ...target(master.address),
          host: { kind: 'local' },
          dir: backups,
          timeoutSeconds: 60,
        },
      },
      {
        action: 'redis.failover',
        params: { ...target(master.address), maxLagBytes: 65_536, timeoutSeconds: 30 },
      },
    ]);
    expect(result.outcome).toBe('completed');

    const intent = entries.find((e) => e.type === 'intent' && e.op === 'redis-failover');
    const chosen = (intent?.to as { replica: string } | undefined)?.replica ?? '';
    const outcome = entries.find((e) => e.type === 'result' && e.op === 'redis-failover');
    expect(outcome).toMatchObject({ applied: true, after: { master: chosen } });
    expect((intent?.seq as number) < (outcome?.seq as number)).toBe(true);
    // As the new master sees it: the node asked first may not have heard the news yet.
    const after = await nodes(chosen);
    expect(after.find((n) => n.address === chosen)).toMatchObject({
      role: 'master',
      slots: master.slots,
    });
    // The old master as it sees itself: the news of its own demotion reaches others by gossip.
    const demoted = (await nodes(master.address)).find((n) => n.address === master.address);
    expect(demoted).toMatchObject({ role: 'replica', slots: '' });
    expect(await cluster.cli(chosen, 'GET', key)).toBe('kept\n');

    const backup = entries.find(
      (e) => e.type === 'step' && e.action === 'redis.backup' && e.status === 'ok',
    );
    const data = backup?.data as { file: string; sha256: string };
    expect(data.file.startsWith(`${backups}/redis-${NODE}-`)).toBe(true);
    const bytes = await readFile(data.file);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(data.sha256);
  }, 120_000);

  it('a replica is not failed over: the step says so and changes nothing', async () => {
    const replica = (await nodes()).find((n) => n.role === 'replica');
    if (replica === undefined) throw new Error('no replica');
    const { result, entries } = await run([
      {
        action: 'redis.failover',
        params: { ...target(replica.address), maxLagBytes: 65_536, timeoutSeconds: 30 },
      },
    ]);
    expect(result.outcome).toBe('completed');
    expect(entries.some((e) => e.type === 'intent')).toBe(false);
  }, 60_000);

  it('a node that drops the connection under the first question is asked again, not given up on', async () => {
    // As a failover ends the node drops every client: a resumed Sentinel run halted on it.
    const replica = (await nodes()).find((n) => n.role === 'replica');
    if (replica === undefined) throw new Error('no replica');
    const world = new InMemoryWorld(fleet(1), undefined, [], { clock: systemClock });
    const real = ioredisMemberClient(systemClock);
    let asked = 0;
    const result = await runModel(
      world,
      planOf(world, [
        {
          action: 'redis.failover',
          params: { ...target(replica.address), maxLagBytes: 65_536, timeoutSeconds: 30 },
        },
      ]),
      {
        wrap: (ports) => ({
          ...realPorts()(ports),
          redis: {
            ...real,
            status: async (address, options) => {
              asked += 1;
              if (asked === 1) throw new Error('Connection is closed.');
              return real.status(address, options);
            },
          },
        }),
      },
    );
    expect(result === 'crashed' ? result : result.outcome).toBe('completed');
    expect(asked).toBeGreaterThanOrEqual(2);
    const entries = entriesOf(world);
    const step = entries.find((e) => e.type === 'step' && e.action === 'redis.failover');
    expect(String(step?.detail)).toContain('is a replica');
  }, 60_000);

  it('rejoin waits while the replica is down and syncing, and passes once it has caught up', async () => {
    const replica = (await nodes()).find((n) => n.role === 'replica');
    if (replica === undefined) throw new Error('no replica');
    await cluster.stopNode(replica.address);
    const started = Date.now();
    const running = run([
      {
        action: 'redis.rejoin',
        params: { ...target(replica.address), intervalSeconds: 1, timeoutSeconds: 60 },
      },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await cluster.startNode(replica.address);
    const { result, entries } = await running;
    expect(result.outcome).toBe('completed');
    expect(Date.now() - started).toBeGreaterThan(2500);
    const waits = entries.filter((e) => e.type === 'note' && e.waiting === true);
    expect(String(waits[0]?.message)).toContain('cannot be asked');
    const done = entries.find((e) => e.type === 'step' && e.action === 'redis.rejoin');
    expect(String(done?.detail)).toMatch(
      /replica of \S+, link up, offset \d+ ≥ \d+, cluster_state:ok on all 6 nodes/,
    );
    const info = await cluster.cli(replica.address, 'INFO', 'replication');
    expect(info).toContain('master_link_status:up');
  }, 120_000);

  it('does not fail a master over when its only replica is down: the run halts with it in service', async () => {
    await waitForClusterOk();
    const all = await nodes();
    const master = all.find((n) => n.role === 'master');
    const line = (await clusterNodesText())
      .split('\n')
      .find((l) => l.includes(` ${master?.id} `) && l.includes('slave'));
    const replica = line?.split(' ')[1]?.split('@')[0];
    if (master === undefined || replica === undefined) throw new Error('no master with a replica');
    await cluster.stopNode(replica);
    try {
      const { result, entries } = await run([
        {
          action: 'redis.failover',
          params: { ...target(master.address), maxLagBytes: 65_536, timeoutSeconds: 10 },
        },
      ]);
      expect(result.outcome).toBe('halted');
      const step = entries.find((e) => e.type === 'step' && e.action === 'redis.failover');
      expect(String(step?.detail)).toMatch(
        new RegExp(`no replica of Redis master ${master.address} is in sync \\(${replica} `),
      );
      expect(entries.some((e) => e.type === 'intent')).toBe(false);
      expect((await nodes()).find((n) => n.address === master.address)?.role).toBe('master');
    } finally {
      await cluster.startNode(replica);
    }
  }, 60_000);

  it('resumed after a crash right after the failover intent, watches out the first attempt before sending again', async () => {
    await waitForClusterOk();
    const master = (await nodes()).find((n) => n.role === 'master');
    if (master === undefined) throw new Error('no master');
    const step: StepAction = {
      action: 'redis.failover',
      params: { ...target(master.address), maxLagBytes: 65_536, timeoutSeconds: 3 },
    };
    // A process that journaled its choice and died before CLUSTER FAILOVER left it: learn the
    // intent's place in the journal from a run whose command goes nowhere, then crash there.
    const probe = new InMemoryWorld(fleet(1), undefined, [], { clock: systemClock });
    await runModel(probe, planOf(probe, [step]), { wrap: realPorts(async () => undefined) });
    const seq = entriesOf(probe).find((e) => e.type === 'intent')?.seq as number;
    const world = new InMemoryWorld(fleet(1), undefined, [], { clock: systemClock });
    const crashed = await runModel(world, planOf(world, [step]), {
      crashAfterSeq: seq,
      wrap: realPorts(async () => undefined),
    });
    expect(crashed).toBe('crashed');
    const sentAt = Date.parse(String(entriesOf(world).find((e) => e.type === 'intent')?.ts));

    const resumed = await resumeModel(world, { wrap: realPorts() });
    if (resumed === 'crashed') throw new Error('crashed');
    expect(resumed.outcome).toBe('completed');
    const entries = entriesOf(world);
    const intents = entries.filter((e) => e.type === 'intent' && e.op === 'redis-failover');
    expect(intents).toHaveLength(2);
    // Sent again only once the first attempt's 3 s were up, the node still a master meanwhile.
    expect(Date.parse(String(intents[1]?.ts)) - sentAt).toBeGreaterThanOrEqual(3000);
    const chosen = (intents[1]?.to as { replica: string } | undefined)?.replica ?? '';
    const demoted = (await nodes(master.address)).find((n) => n.address === master.address);
    expect(demoted?.role).toBe('replica');
    expect((await nodes(chosen)).find((n) => n.address === chosen)?.role).toBe('master');
  }, 120_000);
});
