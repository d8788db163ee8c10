/**
 * Waiting for the cloud to reach a state (balancer active, listener running, command finished,
 * instance running) on the injected clock, bounded in time.
 */
import type { Clock } from '../../../ports/index.js';

export interface PollOptions {
  intervalMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Calls `probe` until it returns a value (not undefined) and resolves with it; resolves
 * `undefined` once `timeoutMs` has passed without one. The probe runs at least once.
 */
export async function pollUntil<T>(
  clock: Clock,
  options: PollOptions,
  probe: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const deadline = clock.monotonic() + options.timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    const value = await probe();
    if (value !== undefined) return value;
    const left = deadline - clock.monotonic();
    if (left <= 0) return undefined;
    await clock.sleep(Math.min(options.intervalMs, left), options.signal);
  }
}
