/** The `status` use case: a run, node by node (default: the latest run). Reads only. */
import {
  type JournalEntry,
  type RunStatus,
  readRunJournal,
  readRunStatus,
} from '../engine/index.js';
import type { SharedStorage } from '../ports/index.js';

export interface StatusOptions {
  /** DRAINCTL_HOME. */
  home: string;
  /** Default: the latest run. */
  runId?: string;
  /** Read the run from the database replicas share instead of DRAINCTL_HOME. */
  shared?: SharedStorage;
}

export function runStatus(options: StatusOptions): Promise<RunStatus> {
  return readRunStatus(options.home, options.runId, undefined, options.shared);
}

/** A run's journal as written so far: what a resumed run's progress view starts from. */
export function runJournal(options: {
  home: string;
  runId: string;
  shared?: SharedStorage;
}): Promise<JournalEntry[]> {
  return readRunJournal(options.home, options.runId, options.shared);
}
