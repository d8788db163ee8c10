/**
 * Lock loss means: stop touching things. Before every intent is journaled (so before every
 * mutation) the run's locks are checked; once one is found taken (or the heartbeat, or the
 * journal, found it so) every later journal entry and mutation is refused with `LockLostError`
 * — no rollback either: whoever holds the lock now drives.
 */
import { LockLostError } from '../errors.js';

export class LockGuard {
  private lostError: LockLostError | undefined;

  /** `checks` throw `LockLostError` when a lock is no longer this run's. */
  constructor(private readonly checks: Array<() => Promise<void>> = []) {}

  get lost(): LockLostError | undefined {
    return this.lostError;
  }

  /** Remember the loss (the first one wins); returns the error to throw. */
  markLost(error: LockLostError): LockLostError {
    this.lostError ??= error;
    return this.lostError;
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
