import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockHeldError } from '#src/engine/engine-errors.js';
import {
  BalancerLock,
  lockKeyForName,
  lockPath,
  readLock,
} from '#src/engine/lock/balancer-lock.js';
import { ManualClock } from '#support/manual-clock.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'drainctl-lock-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

/** A pid that is certainly not running (beyond the kernel's pid_max). */
const DEAD_PID = 4_194_400;

async function plantLock(info: { runId: string; pid: number; host: string; heartbeatAt: string }) {
  await mkdir(join(home, 'locks'), { recursive: true });
  await writeFile(
    lockPath(home, 'lb-1'),
    JSON.stringify({ key: 'lb-1', acquiredAt: info.heartbeatAt, ...info }),
  );
}

describe('per-balancer lock', () => {
  it('refuses a second run with the holder run id, host and age', async () => {
    const clock = new ManualClock();
    const first = await BalancerLock.acquire('lb-1', { home, runId: 'r-first', clock });
    await clock.advance(42_000);
    const second = BalancerLock.acquire('lb-1', {
      home,
      runId: 'r-second',
      clock,
      staleAfterMs: 120_000,
    });
    await expect(second).rejects.toBeInstanceOf(LockHeldError);
    await expect(second).rejects.toMatchObject({
      code: 'LOCK_HELD',
      message: `load balancer lb-1 is held by run r-first (pid ${process.pid} on ${hostname()}, heartbeat 42s ago), started 2026-11-21T02:00:00.000Z: process ${process.pid} is running on this host; lock file ${resolve(lockPath(home, 'lb-1'))} (DRAINCTL_HOME ${resolve(home)})`,
      hint: expect.stringMatching(
        /^wait for it, or stop it with `drainctl abort r-first`; its heartbeat is 42s old, so it may be suspended .*`kill -CONT \d+`.*never broken$/,
      ),
    });
    await first.release();
    const third = await BalancerLock.acquire('lb-1', { home, runId: 'r-third', clock });
    expect((await readLock(home, 'lb-1'))?.runId).toBe('r-third');
    await third.release();
    expect(await readLock(home, 'lb-1')).toBeUndefined();
  });

  it('records run id, pid, host and a heartbeat that the holder refreshes', async () => {
    const clock = new ManualClock();
    const lock = await BalancerLock.acquire('lb-1', { home, runId: 'r-1', clock });
    const before = await readLock(home, 'lb-1');
    expect(before).toMatchObject({
      runId: 'r-1',
      pid: process.pid,
      host: hostname(),
      heartbeatAt: '2026-11-21T02:00:00.000Z',
    });
    await clock.advance(5_000);
    await lock.heartbeat();
    expect((await readLock(home, 'lb-1'))?.heartbeatAt).toBe('2026-11-21T02:00:05.000Z');
    await lock.release();
  });

  it("a heartbeat never writes the lock file: one racing a takeover cannot overwrite the new holder's lock", async () => {
    const clock = new ManualClock();
    const lock = await BalancerLock.acquire('lb-1', { home, runId: 'r-1', clock });
    const path = lockPath(home, 'lb-1');
    const written = await readFile(path, 'utf8');
    await clock.advance(5_000);
    await lock.heartbeat();
    expect(await readFile(path, 'utf8')).toBe(written);
    // The heartbeat's check passed; a takeover lands before its write.
    const thief = JSON.stringify({
      key: 'lb-1',
      runId: 'r-thief',
      pid: DEAD_PID,
      host: 'ops-02',
      acquiredAt: '2026-11-21T02:00:06.000Z',
      heartbeatAt: '2026-11-21T02:00:06.000Z',
    });
    const verify = lock.verify.bind(lock);
    lock.verify = async () => {
      await verify();
      await writeFile(path, thief);
    };
    await clock.advance(5_000);
    await lock.heartbeat();
    expect(await readFile(path, 'utf8')).toBe(thief);
    // Our beat does not lend the thief's lock our freshness.
    expect((await readLock(home, 'lb-1'))?.heartbeatAt).toBe('2026-11-21T02:00:06.000Z');
    await expect(verify()).rejects.toMatchObject({ code: 'LOCK_LOST' });
    await lock.release();
    expect(await readFile(path, 'utf8')).toBe(thief);
  });

  it('a stale lock (holder pid gone) is broken only with the explicit flag', async () => {
    const clock = new ManualClock();
    await plantLock({
      runId: 'r-dead',
      pid: DEAD_PID,
      host: hostname(),
      heartbeatAt: '2026-11-21T02:00:00.000Z',
    });
    const refused = BalancerLock.acquire('lb-1', { home, runId: 'r-new', clock });
    await expect(refused).rejects.toMatchObject({ code: 'LOCK_HELD' });
    await expect(refused).rejects.toThrow(/looks stale/);
    await expect(refused).rejects.toMatchObject({
      hint: expect.stringContaining('--break-lock'),
    });
    expect((await readLock(home, 'lb-1'))?.runId).toBe('r-dead');
    const lock = await BalancerLock.acquire('lb-1', {
      home,
      runId: 'r-new',
      clock,
      breakLock: true,
    });
    expect((await readLock(home, 'lb-1'))?.runId).toBe('r-new');
    await lock.release();
  });

  it('a stale lock by heartbeat age (holder on another host) is broken only with the flag', async () => {
    const clock = new ManualClock();
    await plantLock({
      runId: 'r-away',
      pid: 1,
      host: 'other-host',
      heartbeatAt: '2026-11-21T01:50:00.000Z',
    });
    await expect(BalancerLock.acquire('lb-1', { home, runId: 'r-new', clock })).rejects.toThrow(
      /held by run r-away \(pid 1 on other-host, heartbeat 600s ago, looks stale\), started .*: no heartbeat from other-host for 600s/,
    );
    const lock = await BalancerLock.acquire('lb-1', {
      home,
      runId: 'r-new',
      clock,
      breakLock: true,
    });
    await lock.release();
  });

  it('never breaks a live lock, even with the flag', async () => {
    const clock = new ManualClock();
    await plantLock({
      runId: 'r-live',
      pid: process.pid,
      host: hostname(),
      heartbeatAt: '2026-11-21T02:00:00.000Z',
    });
    await expect(
      BalancerLock.acquire('lb-1', { home, runId: 'r-new', clock, breakLock: true }),
    ).rejects.toMatchObject({
      code: 'LOCK_HELD',
    });
  });

  it("a resumed run takes over its own run's lock once that process is gone", async () => {
    const clock = new ManualClock();
    await plantLock({
      runId: 'r-crashed',
      pid: DEAD_PID,
      host: hostname(),
      heartbeatAt: '2026-11-21T02:00:00.000Z',
    });
    const lock = await BalancerLock.acquire('lb-1', { home, runId: 'r-crashed', clock });
    expect((await readLock(home, 'lb-1'))?.pid).toBe(process.pid);
    await lock.release();
  });

  it('notices a lock that was taken from it', async () => {
    const clock = new ManualClock();
    const lock = await BalancerLock.acquire('lb-1', { home, runId: 'r-1', clock });
    await plantLock({
      runId: 'r-thief',
      pid: 1,
      host: 'x',
      heartbeatAt: '2026-11-21T02:00:00.000Z',
    });
    await expect(lock.heartbeat()).rejects.toMatchObject({ code: 'LOCK_LOST' });
    await lock.release();
    expect((await readLock(home, 'lb-1'))?.runId).toBe('r-thief');
  });

  it('keys a balancer that does not exist yet by its name', async () => {
    expect(lockKeyForName('web lb/prod')).toBe('name-web_lb_prod');
    const lock = await BalancerLock.acquire(lockKeyForName('web'), {
      home,
      runId: 'r-1',
      clock: new ManualClock(),
    });
    expect(JSON.parse(await readFile(join(home, 'locks', 'name-web.lock'), 'utf8')).runId).toBe(
      'r-1',
    );
    await lock.release();
  });
});
