/**
 * The real clock: wall time from Date, monotonic time from performance.now, sleeps that an
 * AbortSignal can cut short — rejecting with the signal's own reason, as the Clock port says,
 * so callers can tell a stop request from any other failure. Sleeps of any length: they are cut
 * into chunks Node's timers can hold (../long-timer.ts).
 */
import type { Clock } from '../../ports/index.js';
import { sleepChunked } from '../long-timer.js';

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: sleepChunked,
};
