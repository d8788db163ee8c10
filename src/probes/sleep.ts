/**
 * A clock sleep that rejects with the abort signal's own reason, as the Clock port promises,
 * whatever the clock's implementation throws (Node's timer promises throw a generic AbortError).
 */
import type { Clock } from '../ports/index.js';

export async function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await clock.sleep(ms, signal);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}
