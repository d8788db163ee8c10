/**
 * A run's journal in shared storage (a database several replicas use). Each line is inserted
 * under the run's leases: a replica whose lease went to another holder cannot add a line, so it
 * cannot journal the intent every change needs first. A storage that cannot be reached is
 * tried again while the leases are known to hold (a short database restart is waited out); past
 * that the append fails like a file that cannot be written.
 */
import type { Clock, JournalLines, LeaseFence } from '../../ports/index.js';
import type { JournalEntry } from './entries.js';
import { JournalAdvancedError, type JournalStore, parseJournal } from './store.js';

/** The run's current leases and until when (monotonic ms) they are known to hold. */
export interface FenceSource {
  fences(): readonly LeaseFence[];
  /** Monotonic ms until which every lease is known to hold; undefined: no lease to wait on. */
  heldUntil(): number | undefined;
}

const RETRY_EVERY_MS = 500;

export class SharedJournalStore implements JournalStore {
  constructor(
    private readonly lines: JournalLines,
    private readonly fence: FenceSource,
    private readonly clock: Clock,
    /** Told after a line was written only after waiting for the storage (for the run to say so). */
    private readonly onWaited?: (waitedMs: number, error: unknown) => void,
  ) {}

  describe(): string {
    return this.lines.describe();
  }

  async read(): Promise<JournalEntry[]> {
    const text = (await this.lines.read()).map((line) => `${line}\n`).join('');
    const { entries } = parseJournal(text, this.lines.describe());
    return entries;
  }

  async append(line: string): Promise<void> {
    const seq = (JSON.parse(line) as { seq: number }).seq;
    const started = this.clock.monotonic();
    let firstError: unknown;
    for (let attempt = 0; ; attempt += 1) {
      let answer: 'appended' | 'superseded';
      try {
        answer = await this.lines.append(seq, line, this.fence.fences());
      } catch (error) {
        firstError ??= error;
        const until = this.fence.heldUntil();
        if (until === undefined || this.clock.monotonic() + RETRY_EVERY_MS >= until) throw error;
        await this.clock.sleep(RETRY_EVERY_MS);
        continue;
      }
      // A retried insert whose first try committed (its answer was lost) finds its own line.
      if (answer === 'superseded' && attempt > 0 && (await this.lines.read())[seq - 1] === line) {
        answer = 'appended';
      }
      if (answer === 'superseded') throw new JournalAdvancedError(this.lines.describe());
      if (attempt > 0) this.onWaited?.(this.clock.monotonic() - started, firstError);
      return;
    }
  }

  async close(): Promise<void> {}
}
