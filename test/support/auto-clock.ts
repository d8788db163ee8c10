/**
 * A discrete-event clock for the in-memory model: sleeps resolve in deadline order as soon as
 * every task is waiting, so a run with ten-minute timeouts takes milliseconds.
 */
import type { Clock } from '#src/ports/index.js';

/** A discrete-event clock: sleeps resolve in deadline order as soon as everyone waits. */
export class AutoClock implements Clock {
  private mono = 0;
  private sleepers: Array<{ deadline: number; resolve: () => void }> = [];
  private scheduled = false;

  constructor(private wall = Date.parse('2026-11-21T02:00:00Z')) {}

  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return this.mono;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      const sleeper = {
        deadline: this.mono + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.schedule();
    });
  }
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const next = this.sleepers.sort((a, b) => a.deadline - b.deadline)[0];
      if (next === undefined) return;
      const due = this.sleepers.filter((s) => s.deadline <= next.deadline);
      this.sleepers = this.sleepers.filter((s) => s.deadline > next.deadline);
      this.wall += next.deadline - this.mono;
      this.mono = next.deadline;
      for (const s of due) s.resolve();
      if (this.sleepers.length > 0) this.schedule();
    });
  }
}
