/**
 * Lock loss means: stop touching things. Before every intent is journaled (so before every
 * mutation) the run's locks are checked; once one is found taken (or the heartbeat, or the
 * journal, found it so) every later journal entry and mutation is refused with `LockLostError`
 * — no rollback either: whoever holds the lock now drives.
 */
import { LockLostError } from '../engine-errors.js';

/** What one check is for, and how a lock layer that cannot be read right now is reported. */
export interface LockCheck {
  /** What the check guards, for messages: `set-weight (step drain-web-1)`. */
  before: string;
  /** The run's abort: a read in progress is cut short (the check then says "not checked"). */
  signal?: AbortSignal;
  /** A layer could not be read (not a loss: the other layer still holds). */
  onUnchecked?: (message: string, error: unknown) => void;
  /** The balancer's tags as the check read them (a drain reuses the read for its saved weight). */
  onTags?: (loadBalancerId: string, tags: Readonly<Record<string, string>>) => void;
  /**
   * The balancers the coming change concerns (a fleet server's): only their locks are read. A
   * change to one server cannot meet another run on a balancer the server is not on, and reading
   * every balancer of a large fleet before each change would spend the read quota on nothing.
   * Absent: every lock of the run.
   */
  loadBalancerIds?: ReadonlySet<string>;
}

export class LockGuard {
  private lostError: LockLostError | undefined;
  private readonly listeners: Array<(error: LockLostError) => void> = [];

  /** `checks` throw `LockLostError` when a lock is no longer this run's. */
  constructor(private readonly checks: Array<(check: LockCheck) => Promise<void>> = []) {}

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
  async beforeIntent(check: LockCheck = { before: 'a change' }): Promise<void> {
    this.beforeAppend();
    for (const verify of this.checks) {
      try {
        await verify(check);
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
