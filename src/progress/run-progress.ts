/**
 * What a run shows while it goes, from its journal alone: the entries it writes are folded by the
 * engine's own reducer (for the plain lines) and read by the timeline model the run's page uses
 * (for the live frame), so the terminal never keeps a second model of the run. Pure: entries and
 * "now" are handed in; the caller decides where the lines go.
 */
import type { IntentEntry, JournalEntry } from '../engine/journal/entries.js';
import { applyEntry, initialRunState, type RunState } from '../engine/journal/run-state.js';
import { progressFrame } from './progress-frame.js';
import { progressLines } from './progress-lines.js';

export class RunProgress {
  private readonly entries: JournalEntry[] = [];
  private state: RunState | undefined;

  /** `history`: what the journal held before this process went on (a resumed run). */
  constructor(history: readonly JournalEntry[] = []) {
    for (const entry of history) this.fold(entry);
  }

  /** Take one durable entry; returns the plain progress lines it makes (none when nothing changed). */
  apply(entry: JournalEntry): string[] {
    const intent = this.intentOf(entry);
    this.fold(entry);
    return this.state === undefined ? [] : progressLines(entry, this.state, intent);
  }

  /** The live frame at wall-clock `now` (ms); empty until the plan entry arrived. */
  frame(now: number): string[] {
    return this.entries.length === 0 ? [] : progressFrame(this.entries, now);
  }

  /** The run has written its `done` entry. */
  get ended(): boolean {
    return this.state?.done !== undefined;
  }

  private fold(entry: JournalEntry): void {
    if (this.state === undefined) {
      // Entries before the plan cannot be placed (never written so by the journal).
      if (entry.type !== 'plan') return;
      this.state = initialRunState(entry);
    } else {
      applyEntry(this.state, entry);
    }
    this.entries.push(entry);
  }

  /** The intent a result confirms, read before the reducer forgets it (the weight before). */
  private intentOf(entry: JournalEntry): IntentEntry | undefined {
    return entry.type === 'result' ? this.state?.pendingIntents.get(entry.opId) : undefined;
  }
}
