/**
 * A clock the test moves by hand: sleeps resolve only when `advance` passes their deadline, so
 * a ten-minute drain timeout is tested in microseconds.
 */
import type { Clock } from '#src/ports/index.js';

interface Sleeper {
  deadline: number;
  resolve: () => void;
}

export class ManualClock implements Clock {
  private monotonicMs = 0;
  private sleepers: Sleeper[] = [];

  constructor(private wallMs = Date.parse('2026-11-21T02:00:00Z')) {}

  now(): number {
    return this.wallMs;
  }

  monotonic(): number {
    return this.monotonicMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = { deadline: this.monotonicMs + Math.max(0, ms), resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Number of pending sleeps (lets a test wait until the code under test is waiting). */
  get pendingSleeps(): number {
    return this.sleepers.length;
  }

  /** Move time forward, waking every sleeper whose deadline has passed, in deadline order. */
  async advance(ms: number): Promise<void> {
    const target = this.monotonicMs + ms;
    for (;;) {
      const next = this.sleepers
        .filter((s) => s.deadline <= target)
        .sort((a, b) => a.deadline - b.deadline)[0];
      if (next === undefined) break;
      this.wallMs += next.deadline - this.monotonicMs;
      this.monotonicMs = next.deadline;
      this.sleepers = this.sleepers.filter((s) => s !== next);
      next.resolve();
      // Let the woken code run (and perhaps sleep again) before looking for the next sleeper.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.wallMs += target - this.monotonicMs;
    this.monotonicMs = target;
  }
}
