/**
 * The real clock: wall time from Date, monotonic time from performance.now, sleeps that an
 * AbortSignal can cut short.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../ports/index.js';

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: async (ms, signal) => {
    await delay(Math.max(0, ms), undefined, signal ? { signal } : undefined);
  },
};
