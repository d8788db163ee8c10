/**
 * The lock's cloud-side layer: the `drainctl-lock` tag on the balancer, which runs from other
 * DRAINCTL_HOMEs (other directories, other hosts) see too. Same staleness rules as the file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BalancerTagLock,
  formatTagValue,
  LOCK_TAG_KEY,
  parseTagValue,
} from '#src/engine/lock/balancer-tag.js';
import { RunLocks } from '#src/engine/lock/run-locks.js';
import type { Plan } from '#src/plan/types.js';
import type { LoadBalancer } from '#src/ports/index.js';
import { fleet } from '#support/hand-built-plans.js';
import { InMemoryWorld } from '#support/in-memory-world.js';
import { ManualClock } from '#support/manual-clock.js';

const DEAD_PID = 4_194_400;
const clock = new ManualClock();
const at = new Date(clock.now()).toISOString();

function setup() {
  const world = new InMemoryWorld(fleet(2));
  return { world, lb: world.ports().loadBalancer, id: world.loadBalancerId };
}

describe('balancer tag lock', () => {
  it('keeps to the Alibaba tag limits: key ≤ 64, no aliyun/acs: prefix, value ≤ 128', () => {
    expect(LOCK_TAG_KEY.length).toBeLessThanOrEqual(64);
    expect(LOCK_TAG_KEY).not.toMatch(/^(aliyun|acs:)/i);
    const holder = {
      runId: 'r-20261121-020000-1a2b',
      pid: 4_194_303,
      pidStart: '123456789012',
      host: 'h'.repeat(300),
      acquiredAt: at,
    };
    const value = formatTagValue(holder);
    expect(value.length).toBe(128);
    expect(parseTagValue(value)).toEqual({
      ...holder,
      host: holder.host.slice(0, parseTagValue(value)?.host.length),
    });
    const short = { runId: 'r-1', pid: 42, host: 'ops-01', acquiredAt: at };
    expect(parseTagValue(formatTagValue(short))).toEqual(short);
    expect(parseTagValue('someone else')).toBeUndefined();
  });

  it('tags the balancer for the run, and removes its own tag on release', async () => {
    const { world, lb, id } = setup();
    const lock = await BalancerTagLock.acquire(lb, id, { settleMs: 0, runId: 'r-1', clock });
    expect(parseTagValue(world.tags.get(LOCK_TAG_KEY) ?? '')).toMatchObject({
      runId: 'r-1',
      pid: process.pid,
      host: hostname(),
    });
    await lock.release();
    expect(world.tags.has(LOCK_TAG_KEY)).toBe(false);
  });

  it("refuses while another run's tag names a live process on this host, even with --break-lock", async () => {
    const { world, lb, id } = setup();
    const value = formatTagValue({
      runId: 'r-alice',
      pid: process.pid,
      host: hostname(),
      acquiredAt: at,
    });
    world.tags.set(LOCK_TAG_KEY, value);
    for (const breakLock of [false, true]) {
      await expect(
        BalancerTagLock.acquire(lb, id, {
          settleMs: 0,
          runId: 'r-bob',
          clock,
          breakLock,
          pid: process.pid + 1,
        }),
      ).rejects.toMatchObject({
        code: 'LOCK_HELD',
        message: expect.stringContaining(
          `held by run r-alice (pid ${process.pid} on ${hostname()}), started ${at}: process ${process.pid} is running on this host; tag drainctl-lock="${value}" on the balancer`,
        ),
      });
    }
    expect(world.tags.get(LOCK_TAG_KEY)).toBe(value);
  });

  it("another host's tag is refused, naming --break-lock, and taken only with it", async () => {
    const { world, lb, id } = setup();
    world.tags.set(
      LOCK_TAG_KEY,
      formatTagValue({ runId: 'r-1', pid: 77, host: 'ops-02', acquiredAt: at }),
    );
    await expect(
      BalancerTagLock.acquire(lb, id, { settleMs: 0, runId: 'r-1', clock }),
    ).rejects.toMatchObject({
      code: 'LOCK_HELD',
      message: expect.stringContaining('held from ops-02, which this host cannot check'),
      hint: expect.stringContaining('--break-lock'),
    });
    const lock = await BalancerTagLock.acquire(lb, id, {
      settleMs: 0,
      runId: 'r-1',
      clock,
      breakLock: true,
    });
    expect(parseTagValue(world.tags.get(LOCK_TAG_KEY) ?? '')?.host).toBe(hostname());
    await lock.release();
  });

  it("its own run's tag from a dead process on this host is taken over (resume); another run's needs --break-lock", async () => {
    const { world, lb, id } = setup();
    world.tags.set(
      LOCK_TAG_KEY,
      formatTagValue({ runId: 'r-1', pid: DEAD_PID, host: hostname(), acquiredAt: at }),
    );
    await expect(
      BalancerTagLock.acquire(lb, id, { settleMs: 0, runId: 'r-2', clock }),
    ).rejects.toMatchObject({
      code: 'LOCK_HELD',
    });
    const lock = await BalancerTagLock.acquire(lb, id, { settleMs: 0, runId: 'r-1', clock });
    expect(parseTagValue(world.tags.get(LOCK_TAG_KEY) ?? '')?.pid).toBe(process.pid);
    await lock.release();
  });

  it('of two runs racing to tag, the one whose write did not stick is refused (read back after setting)', async () => {
    const { world, lb, id } = setup();
    const rival = formatTagValue({
      runId: 'r-rival',
      pid: process.pid,
      host: hostname(),
      acquiredAt: at,
    });
    const racing: LoadBalancer = {
      ...lb,
      setTags: async (lbId, tags) => {
        await lb.setTags(lbId, tags);
        world.tags.set(LOCK_TAG_KEY, rival); // the rival's AddTags lands just after ours
      },
    };
    await expect(
      BalancerTagLock.acquire(racing, id, { settleMs: 0, runId: 'r-1', clock }),
    ).rejects.toMatchObject({
      code: 'LOCK_HELD',
      message: expect.stringContaining('held by run r-rival'),
    });
    expect(world.tags.get(LOCK_TAG_KEY)).toBe(rival);
  });

  it('notices its tag replaced by another run (lock lost), and then leaves it alone', async () => {
    const { world, lb, id } = setup();
    const lock = await BalancerTagLock.acquire(lb, id, { settleMs: 0, runId: 'r-1', clock });
    await lock.verify();
    const thief = formatTagValue({ runId: 'r-thief', pid: 9, host: 'ops-02', acquiredAt: at });
    world.tags.set(LOCK_TAG_KEY, thief);
    await expect(lock.verify()).rejects.toMatchObject({
      code: 'LOCK_LOST',
      message: expect.stringContaining('now names run r-thief (pid 9 on ops-02)'),
    });
    await lock.release();
    expect(world.tags.get(LOCK_TAG_KEY)).toBe(thief);
  });

  it('a run that creates its balancer tags it as soon as the id is known, and untags it at the end', async () => {
    const { world, lb, id } = setup();
    const home = await mkdtemp(join(tmpdir(), 'drainctl-tag-create-'));
    try {
      const plan = { loadBalancer: { create: true, name: 'model' } } as unknown as Plan;
      const locks = await RunLocks.acquire(plan, undefined, {
        home,
        runId: 'r-1',
        clock,
        breakLock: false,
        tagSettleMs: 0,
        loadBalancer: lb,
      });
      expect(world.tags.has(LOCK_TAG_KEY)).toBe(false); // no id yet: the name's file lock only
      await locks.add(id); // what lb.create's onLoadBalancerKnown does
      expect(parseTagValue(world.tags.get(LOCK_TAG_KEY) ?? '')?.runId).toBe('r-1');
      await locks.release();
      expect(world.tags.has(LOCK_TAG_KEY)).toBe(false);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
