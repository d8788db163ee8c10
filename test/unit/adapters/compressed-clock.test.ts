import { describe, expect, it } from 'vitest';
import { compressedClock } from '#src/adapters/local/compressed-clock.js';
import { ManualClock } from '#support/manual-clock.js';

describe('compressedClock', () => {
  it('sleeps 1/factor of the time asked, its own time running factor times as fast meanwhile', async () => {
    const base = new ManualClock();
    const clock = compressedClock(10, base);
    const wall = clock.now();
    const mono = clock.monotonic();
    const sleeping = clock.sleep(60_000);
    await base.advance(6_000);
    await sleeping;
    expect(clock.monotonic() - mono).toBe(60_000);
    expect(clock.now() - wall).toBe(60_000);
  });

  it('keeps the wall pace while nothing waits, so a call is timed as it really went', async () => {
    const base = new ManualClock();
    const clock = compressedClock(10, base);
    const mono = clock.monotonic();
    await base.advance(400);
    expect(clock.monotonic() - mono).toBe(400);
  });

  it('refuses a factor below 1', () => {
    expect(() => compressedClock(0.5)).toThrow(/1 or more/);
  });
});
