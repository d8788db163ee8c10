/**
 * The run's write-ahead journal: numbers, stamps, redacts and durably appends entries, one at a
 * time in the order they were asked for (node sequences of a batch write concurrently).
 */
import type { Clock } from '../../ports/index.js';
import { JournalWriteError, LockLostError } from '../engine-errors.js';
import type { JournalEntry, NewEntry } from './entries.js';
import { redactEntry } from './redact-entry.js';
import { JournalAdvancedError, type JournalStore } from './store.js';

export interface JournalOptions {
  /** Called after an entry is durable; the test-only crash hook lives here (see crash-hook.ts). */
  afterAppend?: (entry: JournalEntry) => void;
}

export class Journal {
  private readonly written: JournalEntry[];
  private tail: Promise<unknown> = Promise.resolve();
  private failed: unknown;
  /** Entries asked for from the failed one on (redacted): what this process could not journal. */
  private readonly refused: NewEntry[] = [];
  private readonly failureListeners: Array<(error: unknown) => void> = [];

  private constructor(
    private readonly store: JournalStore,
    private readonly clock: Clock,
    existing: JournalEntry[],
    private readonly options: JournalOptions,
  ) {
    this.written = existing;
  }

  /** Open a journal, reading what is already there (a torn last line is dropped). */
  static async open(
    store: JournalStore,
    clock: Clock,
    options: JournalOptions = {},
  ): Promise<Journal> {
    return new Journal(store, clock, await store.read({ repair: true }), options);
  }

  get entries(): readonly JournalEntry[] {
    return this.written;
  }

  get lastSeq(): number {
    return this.written.at(-1)?.seq ?? 0;
  }

  /** Why the journal stopped taking entries, once it has. */
  get failure(): unknown {
    return this.failed;
  }

  /** The entries that were asked for and not written, the first (failed) one first. */
  get unwritten(): readonly NewEntry[] {
    return this.refused;
  }

  /** Rejects with the failure as soon as a write fails (to stop waiting on steps in flight). */
  whenFailed(): Promise<never> {
    return new Promise<never>((_resolve, reject) => {
      if (this.failed !== undefined) reject(this.failed);
      else this.failureListeners.push(reject);
    });
  }

  /**
   * Append an entry; resolves with it (numbered, stamped, redacted) once it is on disk. After a
   * failed write every later append fails too: nothing may be mutated without its intent.
   */
  append(entry: NewEntry): Promise<JournalEntry> {
    const next = this.tail.then(async () => {
      if (this.failed !== undefined) {
        this.refused.push(redactEntry(entry as JournalEntry) as NewEntry);
        throw this.failed;
      }
      const full = redactEntry({
        seq: this.lastSeq + 1,
        ts: new Date(this.clock.now()).toISOString(),
        ...entry,
      } as JournalEntry);
      try {
        await this.store.append(JSON.stringify(full));
      } catch (error) {
        this.refused.push(full);
        this.failed =
          error instanceof JournalAdvancedError
            ? await this.advancedBySomeoneElse()
            : new JournalWriteError(this.store.describe(), error);
        for (const listener of this.failureListeners.splice(0)) listener(this.failed);
        throw this.failed;
      }
      this.written.push(full);
      this.options.afterAppend?.(full);
      return full;
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Another writer appended to (or cut) this run's journal: this process no longer owns it. */
  private async advancedBySomeoneElse(): Promise<LockLostError> {
    const theirs = await this.store.read().then(
      (entries) => `seq ${entries.at(-1)?.seq ?? 0}`,
      () => 'an unreadable state',
    );
    return new LockLostError(
      `journal ${this.store.describe()}`,
      `another writer moved it to ${theirs}; this process last wrote or read seq ${this.lastSeq}`,
    );
  }

  close(): Promise<void> {
    return this.tail.then(() => this.store.close());
  }
}
