/** docs/design.md §4, invariant 5: two runs never hold the same load balancer. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BalancerLock, lockPath, readLock } from '#src/engine/lock/balancer-lock.js';
import { ManualClock } from '#support/manual-clock.js';

describe('invariant 5: one run per balancer', () => {
  it('of runs racing for a balancer (free, or held by a stale holder they all may break), exactly one wins', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 8 }),
        fc.boolean(),
        fc.boolean(),
        async (racers, staleHolder, mayBreak) => {
          const home = await mkdtemp(join(tmpdir(), 'drainctl-lockprop-'));
          try {
            if (staleHolder) {
              await mkdir(join(home, 'locks'), { recursive: true });
              await writeFile(
                lockPath(home, 'lb-1'),
                JSON.stringify({
                  key: 'lb-1',
                  runId: 'r-dead',
                  pid: 4_194_400,
                  host: hostname(),
                  acquiredAt: 'x',
                  heartbeatAt: '2026-11-21T02:00:00.000Z',
                }),
              );
            }
            const clock = new ManualClock();
            const attempts = await Promise.allSettled(
              Array.from({ length: racers }, (_, i) =>
                BalancerLock.acquire('lb-1', {
                  home,
                  runId: `r-${i}`,
                  clock,
                  breakLock: mayBreak,
                }),
              ),
            );
            const winners = attempts.filter((a) => a.status === 'fulfilled');
            const expectedWinners = staleHolder && !mayBreak ? 0 : 1;
            expect(winners.length).toBe(expectedWinners);
            const holder = await readLock(home, 'lb-1');
            if (expectedWinners === 1) {
              const lock = (winners[0] as PromiseFulfilledResult<BalancerLock>).value;
              expect(holder?.runId).toBe(lock.runId);
            } else {
              expect(holder?.runId).toBe('r-dead');
            }
            for (const a of attempts) {
              if (a.status === 'rejected')
                expect((a.reason as { code: string }).code).toBe('LOCK_HELD');
            }
          } finally {
            await rm(home, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
