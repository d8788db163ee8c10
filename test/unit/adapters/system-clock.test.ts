import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/adapters/local/clock.js';

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
});
