import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { MAX_TIMER_MS, setLongTimeout } from '#src/adapters/long-timer.js';

describe('systemClock', () => {
  it('sleeps about as long as asked and its monotonic time moves forward', async () => {
    const start = systemClock.monotonic();
    await systemClock.sleep(20);
    expect(systemClock.monotonic() - start).toBeGreaterThanOrEqual(15);
  });

  it("rejects with the abort signal's own reason, at once or while sleeping", async () => {
    const reason = new Error('operator pressed ^C');
    const before = new AbortController();
    before.abort(reason);
    await expect(systemClock.sleep(10_000, before.signal)).rejects.toBe(reason);

    const during = new AbortController();
    const sleeping = systemClock.sleep(10_000, during.signal);
    during.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
  });

  describe('waits longer than one Node timer can hold (2^31-1 ms fires at once)', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('a 35-day sleep is still pending after 25 days and ends after 35', async () => {
      // Vitest's fake timers behave like Node: a delay above 2^31-1 ms fires after 1 ms.
      vi.useFakeTimers();
      const day = 86_400_000;
      let done = false;
      const sleeping = systemClock.sleep(35 * day).then(() => {
        done = true;
      });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(25 * day);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(10 * day - 1_001);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(done).toBe(true);
      await sleeping;
    });

    it('never arms a timer above the limit, and a long sleep still aborts', async () => {
      vi.useFakeTimers();
      const spy = vi.spyOn(globalThis, 'setTimeout');
      const controller = new AbortController();
      const sleeping = systemClock.sleep(3 * MAX_TIMER_MS + 5, controller.signal);
      await vi.advanceTimersByTimeAsync(2 * MAX_TIMER_MS);
      const delays = spy.mock.calls.map((call) => call[1] ?? 0);
      expect(delays.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...delays)).toBeLessThanOrEqual(MAX_TIMER_MS);
      const reason = new Error('stop');
      controller.abort(reason);
      await expect(sleeping).rejects.toBe(reason);
      spy.mockRestore();
    });

    it('setLongTimeout fires once after 30 days, not at once, and clear() cancels it', async () => {
      vi.useFakeTimers();
      const day = 86_400_000;
      let fired = 0;
      setLongTimeout(() => {
        fired += 1;
      }, 30 * day);
      let cancelled = 0;
      const cleared = setLongTimeout(() => {
        cancelled += 1;
      }, 30 * day);
      await vi.advanceTimersByTimeAsync(25 * day);
      expect(fired).toBe(0);
      cleared.clear();
      await vi.advanceTimersByTimeAsync(5 * day);
      expect(fired).toBe(1);
      expect(cancelled).toBe(0);
    });
  });
});
