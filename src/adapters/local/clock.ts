/**
 * The real clock: wall time from Date, monotonic time from performance.now, sleeps that an
 * AbortSignal can cut short — rejecting with the signal's own reason, as the Clock port says,
 * so callers can tell a stop request from any other failure.
 */
import type { Clock } from '../../ports/index.js';

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
