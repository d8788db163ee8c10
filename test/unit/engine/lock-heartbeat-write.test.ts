/**
 * A heartbeat that cannot be written (a full or read-only DRAINCTL_HOME) is not a lost lock and
 * does not end the heartbeats: the lock still holds, and the next beat renews it once the disk
 * takes writes again. A beat written halfway is removed, not left to pile up beside the lock.
 * The failure is real: the beat file's place is taken by a directory, so moving the new beat
 * into place fails (EISDIR) until the directory is gone.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BalancerLock, lockPath } from '#src/engine/lock/balancer-lock.js';
import { ManualClock } from '#support/manual-clock.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'drainctl-beat-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

it('beats that fail are reported once, keep being tried, and renew the lock when the disk recovers', async () => {
  const clock = new ManualClock();
  const lock = await BalancerLock.acquire('lb-1', { home, runId: 'r-1', clock });
  const beat = `${lockPath(home, 'lb-1')}.beat`;
  await mkdir(beat); // the beat cannot be moved into place
  const lost: Error[] = [];
  const reports: Array<Error | undefined> = [];
  lock.startHeartbeat(
    (error) => lost.push(error),
    10,
    (error) => reports.push(error),
  );
  try {
    await expect.poll(() => reports.length, { timeout: 2000, interval: 10 }).toBe(1);
    // A real wait: several more beats (every 10 ms) fail meanwhile, and are told only once.
    await delay(60);
    expect(reports).toEqual([expect.objectContaining({ code: 'LOCK_HEARTBEAT_FAILED' })]);
    expect(reports[0]?.message).toContain(`cannot renew the lock's heartbeat ${beat}:`);
    expect(reports[0]?.message).toContain('the lock still holds');
    // At most the beat being written right now: the failed ones were removed, not piled up.
    const leftovers = (await readdir(join(home, 'locks'))).filter((f) => f.endsWith('.tmp'));
    expect(leftovers.length).toBeLessThanOrEqual(1);

    await rm(beat, { recursive: true });
    await expect.poll(() => reports.length, { timeout: 2000, interval: 10 }).toBe(2);
    expect(reports[1]).toBeUndefined();
    expect(JSON.parse(await readFile(beat, 'utf8'))).toMatchObject({ runId: 'r-1' });
    expect(lost).toEqual([]);
  } finally {
    await lock.release();
  }
});
