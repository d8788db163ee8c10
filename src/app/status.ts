/** The `status` use case: a run, node by node (default: the latest run). Reads only. */
import {
  FileJournalStore,
  type JournalEntry,
  journalPath,
  type RunStatus,
  readRunStatus,
} from '../engine/index.js';

export interface StatusOptions {
  /** DRAINCTL_HOME. */
  home: string;
  /** Default: the latest run. */
  runId?: string;
}

export function runStatus(options: StatusOptions): Promise<RunStatus> {
  return readRunStatus(options.home, options.runId);
}

/** A run's journal as written so far: what a resumed run's progress view starts from. */
export function runJournal(options: { home: string; runId: string }): Promise<JournalEntry[]> {
  return new FileJournalStore(journalPath(options.home, options.runId)).read();
}
