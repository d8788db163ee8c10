/**
 * Waiting for the world to reach a state, on the injected clock and bounded in time: the one
 * polling loop the engine's steps (DNS verify, path verify) and the cloud adapters (balancer
 * active, listener running, instance rebooted) share.
 *
 * Why a folder of its own: the adapters may not import the engine and the engine may not import
 * the adapters, the probes import the adapters, and src/ports holds types only. This folder sits
 * beside the Clock port: it depends on the port types alone and does no I/O of its own.
 *
 * Must not import (lint-enforced): any node:* module, or any folder of src/ but src/ports.
 */
import type { Clock } from '../ports/index.js';

export interface PollOptions {
  intervalMs: number;
  timeoutMs: number;
  /** Ends the wait early: the poll rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Calls `probe` until it returns a value (not undefined) and resolves with it; resolves
 * `undefined` once `timeoutMs` has passed without one. The probe runs at least once, and once
 * more at the deadline when the interval does not divide the timeout. An aborted signal rejects
 * with its reason, before a probe or during a sleep, whatever the clock's sleep threw.
 *
 * @example
 *   const running = await pollUntil(clock, { intervalMs: 2000, timeoutMs: 60_000 }, async () =>
 *     (await status(id)) === 'Running' ? true : undefined);
 */
export async function pollUntil<T>(
  clock: Clock,
  options: PollOptions,
  probe: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const { signal } = options;
  const deadline = clock.monotonic() + options.timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const value = await probe();
    if (value !== undefined) return value;
    const left = deadline - clock.monotonic();
    if (left <= 0) return undefined;
    try {
      await clock.sleep(Math.min(options.intervalMs, left), signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw error;
    }
  }
}
