/**
 * Engine review: staleness by heartbeat age alone let `resume` take over a run whose holder was a
 * live process on this host (suspended with SIGSTOP, or starved). On this host only a dead or
 * reused pid makes a lock stale; another host's old heartbeat needs the operator's --break-lock.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BalancerLock, lockPath, readLock } from '#src/engine/lock/balancer-lock.js';
import { processStartTime, staleness } from '#src/engine/lock/holder-liveness.js';
import { ManualClock } from '#support/manual-clock.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'drainctl-liveness-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function plant(info: Record<string, unknown>) {
  await mkdir(join(home, 'locks'), { recursive: true });
  await writeFile(lockPath(home, 'lb-1'), JSON.stringify({ key: 'lb-1', ...info }));
}

const linux = process.platform === 'linux';

describe('lock liveness', () => {
  it('a live holder on this host with a 70 s old heartbeat is not taken over, even by its own run or --break-lock', async () => {
    const clock = new ManualClock();
    const old = new Date(clock.now() - 70_000).toISOString();
    await plant({
      runId: 'r-1',
      pid: process.pid,
      host: hostname(),
      acquiredAt: old,
      heartbeatAt: old,
    });
    for (const breakLock of [false, true]) {
      const attempt = BalancerLock.acquire('lb-1', {
        home,
        runId: 'r-1',
        clock,
        pid: process.pid + 1,
        breakLock,
      });
      await expect(attempt).rejects.toMatchObject({
        code: 'LOCK_HELD',
        message: expect.stringContaining(`process ${process.pid} is running on this host`),
        hint: expect.stringContaining('kill -CONT'),
      });
    }
    expect((await readLock(home, 'lb-1'))?.pid).toBe(process.pid);
  });

  it.runIf(linux)('records the holder process start time (/proc/<pid>/stat field 22)', async () => {
    const start = processStartTime(process.pid);
    expect(start).toMatch(/^\d+$/);
    const lock = await BalancerLock.acquire('lb-1', {
      home,
      runId: 'r-1',
      clock: new ManualClock(),
    });
    expect((await readLock(home, 'lb-1'))?.pidStart).toBe(start);
    await lock.release();
  });

  it.runIf(linux)(
    'a reused pid (alive, but started at another time) makes the lock stale',
    async () => {
      const clock = new ManualClock();
      const now = new Date(clock.now()).toISOString();
      const holder = {
        runId: 'r-1',
        pid: process.pid,
        host: hostname(),
        acquiredAt: now,
        heartbeatAt: now,
      };
      expect(staleness({ ...holder, pidStart: '1' }, clock.now())).toMatchObject({
        stale: true,
        why: expect.stringContaining('now belongs to another process'),
      });
      expect(
        staleness({ ...holder, pidStart: processStartTime(process.pid) as string }, clock.now())
          .stale,
      ).toBe(false);
      await plant({ ...holder, pidStart: '1' });
      const lock = await BalancerLock.acquire('lb-1', {
        home,
        runId: 'r-1',
        clock,
        pid: process.pid + 1,
      });
      expect((await readLock(home, 'lb-1'))?.pid).toBe(process.pid + 1);
      await lock.release();
    },
  );

  it("another host's old heartbeat is never taken silently, not even by its own run: --break-lock, named in the refusal", async () => {
    const clock = new ManualClock();
    const old = new Date(clock.now() - 600_000).toISOString();
    await plant({ runId: 'r-1', pid: 4242, host: 'ops-02', acquiredAt: old, heartbeatAt: old });
    const refused = BalancerLock.acquire('lb-1', { home, runId: 'r-1', clock });
    await expect(refused).rejects.toMatchObject({
      code: 'LOCK_HELD',
      message: expect.stringContaining(
        `held by run r-1 (pid 4242 on ops-02, heartbeat 600s ago, looks stale), started ${old}: no heartbeat from ops-02 for 600s; lock file ${resolve(lockPath(home, 'lb-1'))} (DRAINCTL_HOME ${resolve(home)})`,
      ),
      hint: expect.stringContaining('--break-lock'),
    });
    const lock = await BalancerLock.acquire('lb-1', { home, runId: 'r-1', clock, breakLock: true });
    expect((await readLock(home, 'lb-1'))?.host).toBe(hostname());
    await lock.release();
  });

  it("another host's fresh heartbeat is refused even with --break-lock", async () => {
    const clock = new ManualClock();
    const now = new Date(clock.now() - 5_000).toISOString();
    await plant({ runId: 'r-1', pid: 4242, host: 'ops-02', acquiredAt: now, heartbeatAt: now });
    await expect(
      BalancerLock.acquire('lb-1', { home, runId: 'r-2', clock, breakLock: true }),
    ).rejects.toMatchObject({
      code: 'LOCK_HELD',
      hint: expect.stringContaining('its heartbeat is fresh'),
    });
  });
});
