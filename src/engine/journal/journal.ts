/**
 * The run's write-ahead journal: numbers, stamps, redacts and durably appends entries, one at a
 * time in the order they were asked for (node sequences of a batch write concurrently).
 */
import type { Clock } from '../../ports/index.js';
import { JournalWriteError, LockLostError } from '../engine-errors.js';
import type { IntentEntry, JournalEntry, NewEntry, ResultEntry } from './entries.js';
import { redactEntry } from './redact-entry.js';
import { JournalAdvancedError, type JournalStore } from './store.js';

export interface JournalOptions {
  /** Called after an entry is durable; the test-only crash hook lives here (see crash-hook.ts). */
  afterAppend?: (entry: JournalEntry) => void;
}

/** The entries a run looks an earlier attempt up in. */
export type MutationEntry = IntentEntry | ResultEntry;

function isMutation(entry: JournalEntry): entry is MutationEntry {
  return entry.type === 'intent' || entry.type === 'result';
}

export class Journal {
  /**
   * The intents and results so far: what steps read back (was this command sent before? what
   * did it return?). The rest — the plan, steps, probes, node states — is on disk only: a
   * fleet night journals some 30,000 entries, and holding them all (the plan twice, once
   * redacted) grew the process by tens of megabytes as the night went on.
   */
  private readonly mutationEntries: MutationEntry[];
  private last: number;
  /** What was there when opened, until the caller that folds it takes it. */
  private opened: JournalEntry[] | undefined;
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
    this.mutationEntries = existing.filter(isMutation);
    this.last = existing.at(-1)?.seq ?? 0;
    this.opened = existing;
  }

  /** Open a journal, reading what is already there (a torn last line is dropped). */
  static async open(
    store: JournalStore,
    clock: Clock,
    options: JournalOptions = {},
  ): Promise<Journal> {
    return new Journal(store, clock, await store.read({ repair: true }), options);
  }

  /** The entries the journal held when it was opened (to fold into a state); given once. */
  takeOpened(): JournalEntry[] {
    const opened = this.opened ?? [];
    this.opened = undefined;
    return opened;
  }

  /** Every intent and result journaled, read back or appended, oldest first. */
  get mutations(): readonly MutationEntry[] {
    return this.mutationEntries;
  }

  get lastSeq(): number {
    return this.last;
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
      this.last = full.seq;
      if (isMutation(full)) this.mutationEntries.push(full);
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
