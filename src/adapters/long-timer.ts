/**
 * Timers for any delay. Node's setTimeout holds at most 2^31-1 ms (≈ 24.8 days); a longer delay
 * fires after 1 ms. Long waits are therefore cut into chunks that each fit, so a long wait never
 * ends at once. The system clock sleeps with them; the local and SSH hosts time commands out
 * with them — which is why they sit beside the mechanism folders rather than inside one.
 */

/** The longest delay one Node timer can hold. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Resolves after `ms` (chunked into timers Node can hold), or rejects with the signal's reason
 * when it aborts first.
 */
export function sleepChunked(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    // NaN or a negative delay is no wait at all, as setTimeout treats it.
    let remaining = Number.isNaN(ms) ? 0 : Math.max(0, ms);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const arm = () => {
      const chunk = Math.min(remaining, MAX_TIMER_MS);
      remaining -= chunk;
      timer = setTimeout(() => {
        if (remaining > 0) {
          arm();
          return;
        }
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, chunk);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    arm();
  });
}

/**
 * setTimeout for any delay: `callback` runs once after `ms` even beyond 2^31-1 ms (where a plain
 * setTimeout would fire at once). `clear()` cancels it.
 */
export function setLongTimeout(callback: () => void, ms: number): { clear(): void } {
  const controller = new AbortController();
  sleepChunked(ms, controller.signal).then(callback, () => {
    // cleared: nothing to do
  });
  return { clear: () => controller.abort() };
}
