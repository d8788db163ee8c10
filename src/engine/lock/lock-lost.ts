/**
 * How a run that lost its lock ends: it says so, in its journal when the journal is still its
 * own, and in its report always. When the lock went to a resume of this very run, the journal
 * belongs to that process now and is not written (a line from here would break its sequence).
 */
import type { LockLostError } from '../engine-errors.js';
import type { DoneEntry } from '../journal/entries.js';
import type { Journal } from '../journal/journal.js';
import { applyEntry, type RunState } from '../journal/run-state.js';

export async function recordLockLost(
  journal: Journal,
  state: RunState,
  error: LockLostError,
): Promise<void> {
  const done = {
    type: 'done' as const,
    outcome: 'failed' as const,
    summary: `${error.message}; stopped at once: nothing more was changed or rolled back (the lock holder drives now)`,
  };
  let written: DoneEntry | undefined;
  if (error.holderRunId !== state.runId) {
    written = await journal
      .append(done)
      .then((entry) => (entry.type === 'done' ? entry : undefined))
      .catch(() => undefined);
  }
  // Not journaled: the report still says it (this entry only ever lives in this process).
  applyEntry(
    state,
    written ?? {
      ...done,
      summary: `${done.summary} (not journaled: the journal is the new holder's)`,
      seq: journal.lastSeq,
      ts: new Date().toISOString(),
    },
  );
}
