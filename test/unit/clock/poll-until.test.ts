/**
 * The one polling loop the engine and the adapters share: what it resolves with, when it gives
 * up, and how a stop cuts it short.
 */
import { describe, expect, it } from 'vitest';
import { pollUntil } from '#src/clock/poll-until.js';
import type { Clock } from '#src/ports/index.js';
import { AutoClock } from '#support/auto-clock.js';

/** A probe that records when it ran and answers `value` from the `at`-th call on. */
function probeAt<T>(clock: Clock, at: number, value: T) {
  const times: number[] = [];
  return {
    times,
    probe: async (): Promise<T | undefined> => {
      times.push(clock.monotonic());
      return times.length >= at ? value : undefined;
    },
  };
}

describe('pollUntil', () => {
  it('resolves with the first value, probing once per interval', async () => {
    const clock = new AutoClock();
    const { times, probe } = probeAt(clock, 3, 'active');
    await expect(pollUntil(clock, { intervalMs: 2000, timeoutMs: 60_000 }, probe)).resolves.toBe(
      'active',
    );
    expect(times).toEqual([0, 2000, 4000]);
  });

  it('gives up with undefined at the deadline, after a last look at it', async () => {
    const clock = new AutoClock();
    const { times, probe } = probeAt(clock, Number.POSITIVE_INFINITY, true);
    await expect(
      pollUntil(clock, { intervalMs: 2000, timeoutMs: 5000 }, probe),
    ).resolves.toBeUndefined();
    expect(times).toEqual([0, 2000, 4000, 5000]);
  });

  it('probes once when the timeout is 0', async () => {
    const clock = new AutoClock();
    const { times, probe } = probeAt(clock, 2, true);
    await expect(
      pollUntil(clock, { intervalMs: 2000, timeoutMs: 0 }, probe),
    ).resolves.toBeUndefined();
    expect(times).toEqual([0]);
  });

  it('rejects with the signal reason when stopped during a sleep, without probing again', async () => {
    const clock = new AutoClock();
    const controller = new AbortController();
    const stop = new Error('stop requested');
    const { times, probe } = probeAt(clock, Number.POSITIVE_INFINITY, true);
    const polling = pollUntil(
      clock,
      { intervalMs: 2000, timeoutMs: 60_000, signal: controller.signal },
      async () => {
        const value = await probe();
        if (times.length === 2) controller.abort(stop);
        return value;
      },
    );
    await expect(polling).rejects.toBe(stop);
    expect(times).toEqual([0, 2000]);
  });

  it('does not probe at all once stopped', async () => {
    const clock = new AutoClock();
    const stop = new Error('stop requested');
    const { times, probe } = probeAt(clock, 1, true);
    await expect(
      pollUntil(
        clock,
        { intervalMs: 2000, timeoutMs: 60_000, signal: AbortSignal.abort(stop) },
        probe,
      ),
    ).rejects.toBe(stop);
    expect(times).toEqual([]);
  });

  it("rejects with the signal's reason even when the clock's sleep throws something else", async () => {
    const controller = new AbortController();
    const stop = new Error('stop requested');
    const clock: Clock = {
      now: () => 0,
      monotonic: () => 0,
      sleep: async () => {
        controller.abort(stop);
        throw new DOMException('The operation was aborted', 'AbortError');
      },
    };
    await expect(
      pollUntil(
        clock,
        { intervalMs: 10, timeoutMs: 100, signal: controller.signal },
        async () => undefined,
      ),
    ).rejects.toBe(stop);
  });

  it('lets a probe error through', async () => {
    const clock = new AutoClock();
    const broken = new Error('DescribeInstanceStatus failed');
    await expect(
      pollUntil(clock, { intervalMs: 10, timeoutMs: 100 }, async () => {
        throw broken;
      }),
    ).rejects.toBe(broken);
  });
});
