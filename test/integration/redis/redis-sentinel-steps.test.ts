/**
 * The `redis.*` steps through the real runner against real Redis under Sentinel (one master, two
 * replicas, three sentinels), the other ports the in-memory world's: a master's failover, while a
 * Sentinel-aware client writes continuously, moves the master (the sentinels and the old master
 * agree) and loses no acknowledged write; a replica is left as it is; the old master, restarted,
 * rejoins as a replica of the sentinels' master; a failover whose process died after SENTINEL
 * FAILOVER, the old master's writes still paused, is finished by the resumed run at once, and
 * one that died before it has its pause lifted at once.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { type RedisSentinelProcesses, startRedisSentinel } from '#support/redis-sentinel.js';

let redis: RedisSentinelProcesses;
beforeAll(async () => {
  redis = await startRedisSentinel();
}, 60_000);
afterAll(async () => {
  await redis?.stop();
});

const NODE = 'i-node-1';

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

function realPorts(failover?: RedisMemberClient['failover']) {
  return (ports: EnginePorts): EnginePorts => ({
    ...ports,
    clock: systemClock,
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

/**
 * A run of `step` killed right after it journaled its failover intent, its failover done only as
 * far as `partial` goes. Where the intent lands is learned from a run whose failover is refused.
 */
async function killedAtIntent(
  step: StepAction,
  partial: RedisMemberClient['failover'],
): Promise<InMemoryWorld> {
  const probe = new InMemoryWorld(fleet(1), undefined, [], { clock: systemClock });
  const refused: RedisMemberClient['failover'] = () => Promise.reject(new Error('probe'));
  await runModel(probe, planOf(probe, [step]), { wrap: realPorts(refused) });
  const seq = entriesOf(probe).find((e) => e.type === 'intent')?.seq as number;
  const world = new InMemoryWorld(fleet(1), undefined, [], { clock: systemClock });
  const crashed = await runModel(world, planOf(world, [step]), {
    crashAfterSeq: seq,
    wrap: realPorts(partial),
  });
  expect(crashed).toBe('crashed');
  return world;
}

/** `field:value` of an INFO answer. */
function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(\\S+)`, 'm').exec(info)?.[1];
}

const target = (address: string) => ({
  address,
  commandTimeoutSeconds: 5,
  sentinel: { sentinels: redis.sentinels, masterName: redis.masterName },
});

/** A Sentinel-aware client writing a new key every few ms, each acknowledged one recorded. */
function startWriter() {
  const client = new Redis({
    sentinels: redis.sentinels.map((s) => ({
      host: s.split(':')[0] ?? '',
      port: Number(s.split(':')[1]),
    })),
    name: redis.masterName,
    enableOfflineQueue: true,
  });
  client.on('error', () => undefined);
  const acknowledged: string[] = [];
  /** When each acknowledged write was answered (ms since the epoch). */
  const answeredAt: number[] = [];
  const errors: string[] = [];
  let running = true;
  let last = Date.now();
  let longestGapMs = 0;
  const done = (async () => {
    for (let i = 0; running; i += 1) {
      try {
        await client.set(`w:${i}`, String(i));
        acknowledged.push(`w:${i}`);
        answeredAt.push(Date.now());
        const now = Date.now();
        longestGapMs = Math.max(longestGapMs, now - last);
        last = now;
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    client,
    async stop() {
      running = false;
      await done;
      return { acknowledged, answeredAt, errors, longestGapMs };
    },
  };
}

describe('the redis.* steps under Sentinel', () => {
  it('fails the master over under continuous writes: the sentinels name the new master, the old one is its replica, no acknowledged write is lost', async () => {
    const master = await redis.master();
    const writer = startWriter();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { result, entries } = await run([
      {
        action: 'redis.failover',
        params: { ...target(master), maxLagBytes: 65_536, timeoutSeconds: 30 },
      },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const written = await writer.stop();
    expect(result.outcome, JSON.stringify(entries.filter((e) => e.type === 'step'))).toBe(
      'completed',
    );

    const intent = entries.find((e) => e.type === 'intent' && e.op === 'redis-failover');
    const outcome = entries.find((e) => e.type === 'result' && e.op === 'redis-failover');
    expect(intent).toMatchObject({ target: { address: master }, before: { role: 'master' } });
    expect((intent?.seq as number) < (outcome?.seq as number)).toBe(true);
    const promoted = (outcome as { after: { master: string } }).after.master;
    expect(promoted).not.toBe(master);
    expect(await redis.master()).toBe(promoted);
    expect(await redis.cli(master, 'INFO', 'replication')).toContain('role:slave');

    expect(written.acknowledged.length).toBeGreaterThan(50);
    const values = await writer.client.mget(...written.acknowledged);
    const lost = written.acknowledged.filter((key, i) => values[i] !== key.slice(2));
    writer.client.disconnect();
    expect(lost).toEqual([]);
    console.info(
      `sentinel failover: ${written.acknowledged.length} writes acknowledged, ${written.errors.length} failed, longest gap ${written.longestGapMs} ms`,
    );

    // The old master, restarted, comes back as a replica of the sentinels' master and catches up.
    await redis.stopNode(master);
    await redis.startNode(master);
    const rejoin = await run([
      {
        action: 'redis.rejoin',
        params: { ...target(master), intervalSeconds: 1, timeoutSeconds: 60 },
      },
    ]);
    expect(rejoin.result.outcome).toBe('completed');
    const info = await redis.cli(master, 'INFO', 'replication');
    expect(info).toContain(`master_port:${promoted.split(':')[1]}`);
    expect(info).toContain('master_link_status:up');
  }, 120_000);

  it('resumed after a process died between SENTINEL FAILOVER and the demotion: the old master is demoted and its writes flow at once, not when the pause runs out', async () => {
    const master = await redis.master();
    const step: StepAction = {
      action: 'redis.failover',
      params: { ...target(master), maxLagBytes: 65_536, timeoutSeconds: 30 },
    };
    const writer = startWriter();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // What the adapter's failover does up to the demotion, then the process is gone: writes
    // paused for 30 s, every replica at the master's offset, SENTINEL FAILOVER sent.
    let pausedAt = 0;
    const halfDone: RedisMemberClient['failover'] = async () => {
      await redis.cli(master, 'CLIENT', 'PAUSE', '30000', 'WRITE');
      pausedAt = Date.now();
      const offset = Number(
        infoField(await redis.cli(master, 'INFO', 'replication'), 'master_repl_offset'),
      );
      for (const replica of redis.nodes.filter((n) => n !== master)) {
        for (;;) {
          const info = await redis.cli(replica, 'INFO', 'replication');
          if (Number(infoField(info, 'slave_repl_offset')) >= offset) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      await redis.cli(redis.sentinels[0] ?? '', 'SENTINEL', 'FAILOVER', redis.masterName);
      throw new Error('killed');
    };
    const world = await killedAtIntent(step, halfDone);
    expect(pausedAt).toBeGreaterThan(0);

    const resumed = await resumeModel(world, { wrap: realPorts() });
    const resumedIn = Date.now() - pausedAt;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const written = await writer.stop();
    if (resumed === 'crashed') throw new Error('crashed');
    expect(resumed.outcome).toBe('completed');
    // The pause would have held writes for 30 s; Sentinel's promotion takes a second or two.
    expect(resumedIn).toBeLessThan(15_000);
    expect(written.longestGapMs).toBeLessThan(15_000);
    const promoted = await redis.master();
    expect(promoted).not.toBe(master);
    const info = await redis.cli(master, 'INFO', 'replication');
    expect(info).toContain('role:slave');
    expect(info).toContain(`master_port:${promoted.split(':')[1]}`);
    const values = await writer.client.mget(...written.acknowledged);
    const lost = written.acknowledged.filter((key, i) => values[i] !== key.slice(2));
    writer.client.disconnect();
    expect(lost).toEqual([]);
    console.info(
      `sentinel failover resumed half done: ended ${resumedIn} ms after the pause, longest gap ${written.longestGapMs} ms, ${written.acknowledged.length} writes acknowledged`,
    );
  }, 120_000);

  it('resumed after a process died between its pause and SENTINEL FAILOVER: the writes are released at once, then the node is failed over afresh', async () => {
    const master = await redis.master();
    const step: StepAction = {
      action: 'redis.failover',
      params: { ...target(master), maxLagBytes: 65_536, timeoutSeconds: 12 },
    };
    // A master whose writes are paused looks down to the sentinels after a while (their hello
    // is a PUBLISH, which the pause holds): at the tests' 2 s down-after they failed it over
    // themselves within about 5 s. Here they wait a minute, so only drainctl ends the pause.
    const downAfter = (ms: number) =>
      Promise.all(
        redis.sentinels.map((s) =>
          redis.cli(s, 'SENTINEL', 'SET', redis.masterName, 'down-after-milliseconds', String(ms)),
        ),
      );
    await downAfter(60_000);
    try {
      await failOverAfterAPauseAlone(master, step);
    } finally {
      await downAfter(2_000);
    }
  }, 120_000);

  async function failOverAfterAPauseAlone(master: string, step: StepAction) {
    const writer = startWriter();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Writes paused for the attempt's 12 s, then the process is gone: no failover was sent.
    let pausedAt = 0;
    const pausedOnly: RedisMemberClient['failover'] = async () => {
      await redis.cli(master, 'CLIENT', 'PAUSE', '12000', 'WRITE');
      pausedAt = Date.now();
      throw new Error('killed');
    };
    const world = await killedAtIntent(step, pausedOnly);

    const resumed = await resumeModel(world, { wrap: realPorts() });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const written = await writer.stop();
    if (resumed === 'crashed') throw new Error('crashed');
    const steps = entriesOf(world).filter((e) => e.type === 'step');
    expect(resumed.outcome, JSON.stringify(steps)).toBe('completed');
    // Left alone, the pause holds writes for its 12 s. Released, writes flow again within the
    // resume's first look; the fresh failover then holds them for Sentinel's promotion, a
    // second or two.
    const firstAfterPause = written.answeredAt.find((at) => at > pausedAt) ?? Number.NaN;
    expect(firstAfterPause - pausedAt).toBeLessThan(5_000);
    expect(written.longestGapMs).toBeLessThan(8_000);
    expect(await redis.master()).not.toBe(master);
    expect(await redis.cli(master, 'INFO', 'replication')).toContain('role:slave');
    const values = await writer.client.mget(...written.acknowledged);
    const lost = written.acknowledged.filter((key, i) => values[i] !== key.slice(2));
    writer.client.disconnect();
    expect(lost).toEqual([]);
    console.info(
      `sentinel failover resumed after a pause alone: first write ${firstAfterPause - pausedAt} ms after the pause, longest gap ${written.longestGapMs} ms, ${written.acknowledged.length} writes acknowledged`,
    );
  }

  it('a replica is not failed over: the step says so and changes nothing', async () => {
    const master = await redis.master();
    const replica = redis.nodes.find((n) => n !== master) ?? '';
    const { result, entries } = await run([
      {
        action: 'redis.failover',
        params: { ...target(replica), maxLagBytes: 65_536, timeoutSeconds: 30 },
      },
    ]);
    expect(result.outcome).toBe('completed');
    expect(entries.some((e) => e.type === 'intent')).toBe(false);
    expect(await redis.master()).toBe(master);
  }, 60_000);
});
