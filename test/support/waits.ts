/**
 * Waiting on a ManualClock while the code under test also does real I/O (files, sockets, child
 * processes) between its sleeps: time moves only once that code is asleep on the clock again.
 */
import { vi } from 'vitest';
import type { ManualClock } from './manual-clock.js';

/** Resolves once the code under test is asleep on the clock, or `done` has settled. */
export async function untilAsleep(clock: ManualClock, done?: Promise<unknown>): Promise<void> {
  let settled = false;
  done?.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await vi.waitFor(
    () => {
      if (clock.pendingSleeps === 0 && !settled) {
        throw new Error('the code under test never went to sleep on the clock');
      }
    },
    { timeout: 5000, interval: 1 },
  );
}

/** Advance the clock `ms` in steps of `stepMs`, letting the code poll at every step. */
export async function advance(
  clock: ManualClock,
  ms: number,
  done?: Promise<unknown>,
  stepMs = 1000,
) {
  for (let left = ms; left > 0; left -= stepMs) {
    await untilAsleep(clock, done);
    await clock.advance(Math.min(stepMs, left));
  }
  await untilAsleep(clock, done);
}

/**
 * Move the clock on in `stepMs` steps until `work` settles, and settle as it does: for code that
 * sleeps only on the clock, so one turn of the event loop per step lets it run.
 */
export async function settleOnClock<T>(
  clock: ManualClock,
  work: Promise<T>,
  stepMs = 50,
): Promise<T> {
  let done = false;
  const watched = work.finally(() => {
    done = true;
  });
  watched.catch(() => {});
  while (!done) {
    await new Promise((resolve) => setImmediate(resolve));
    await clock.advance(stepMs);
  }
  return watched;
}

/** Wait in real time (a ManualClock standing still) until `check` holds. */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  await vi.waitFor(
    () => {
      if (!check()) throw new Error(`not reached within ${timeoutMs} ms`);
    },
    { timeout: timeoutMs, interval: 5 },
  );
}

/** Whether the promise has settled, without waiting for it. */
export async function settled(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending');
  const first = await Promise.race([promise.then(() => true), Promise.resolve(pending)]);
  return first !== pending;
}
