/**
 * Lock loss means: stop touching things. Before every intent is journaled (so before every
 * mutation) the run's locks are checked; once one is found taken (or the heartbeat, or the
 * journal, found it so) every later journal entry and mutation is refused with `LockLostError`
 * — no rollback either: whoever holds the lock now drives.
 */
import { LockLostError } from '../errors.js';

export class LockGuard {
  private lostError: LockLostError | undefined;
  private readonly listeners: Array<(error: LockLostError) => void> = [];

  /** `checks` throw `LockLostError` when a lock is no longer this run's. */
  constructor(private readonly checks: Array<() => Promise<void>> = []) {}

  get lost(): LockLostError | undefined {
    return this.lostError;
  }

  /** Remember the loss (the first one wins); returns the error to throw. */
  markLost(error: LockLostError): LockLostError {
    if (this.lostError === undefined) {
      this.lostError = error;
      for (const listener of this.listeners.splice(0)) listener(error);
    }
    return this.lostError;
  }

  /** Rejects with the loss as soon as it is known (to stop waiting on steps in flight). */
  whenLost(): Promise<never> {
    return new Promise<never>((_resolve, reject) => {
      if (this.lostError !== undefined) reject(this.lostError);
      else this.listeners.push(reject);
    });
  }

  /** Before journaling an intent: every lock must still be ours. */
  async beforeIntent(): Promise<void> {
    this.beforeAppend();
    for (const check of this.checks) {
      try {
        await check();
      } catch (error) {
        if (error instanceof LockLostError) throw this.markLost(error);
        throw error;
      }
    }
  }

  /** Before journaling anything else: nothing more is written once the lock is lost. */
  beforeAppend(): void {
    if (this.lostError !== undefined) throw this.lostError;
  }
}
