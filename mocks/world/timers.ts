/**
 * Every timer the world starts goes through one TimerSet, so `close()` can cancel them all and a
 * test that closes its world leaves nothing behind.
 */
export class TimerSet {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<() => void>();
  private closed = false;

  /** Like setTimeout, but cancelled by `clear()`; returns a function that cancels this one. */
  after(ms: number, fn: () => void): () => void {
    if (this.closed) return () => {};
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** Like setInterval, cancelled by `clear()` or by the returned function. */
  every(ms: number, fn: () => void): () => void {
    if (this.closed) return () => {};
    const timer = setInterval(fn, ms);
    this.timers.add(timer);
    return () => {
      clearInterval(timer);
      this.timers.delete(timer);
    };
  }

  /** Resolves `true` after `ms`, or `false` at once if the set is (or gets) cleared. */
  sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = () => {
        this.sleepers.delete(wake);
        cancel();
        resolve(false);
      };
      const cancel = this.after(ms, () => {
        this.sleepers.delete(wake);
        resolve(true);
      });
      this.sleepers.add(wake);
    });
  }

  clear(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const wake of [...this.sleepers]) wake();
  }
}
