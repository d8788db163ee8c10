/**
 * TEST ONLY. `DRAINCTL_TEST_CRASH_AT_SEQ=n` makes the process kill itself with SIGKILL right
 * after journal entry n is durable, so the crash-at-every-step test can stop a real run at each
 * journal boundary in turn and prove that `drainctl resume` reaches the same end state. Never
 * set it outside tests: it kills the run mid-maintenance on purpose.
 */
import type { JournalEntry } from '../journal/entries.js';

export const CRASH_AT_SEQ_ENV = 'DRAINCTL_TEST_CRASH_AT_SEQ';

export function crashHookFromEnv(
  env: NodeJS.ProcessEnv,
): ((entry: JournalEntry) => void) | undefined {
  const raw = env[CRASH_AT_SEQ_ENV];
  if (raw === undefined || raw.trim() === '') return undefined;
  const seq = Number(raw);
  if (!Number.isInteger(seq) || seq < 1) return undefined;
  return (entry) => {
    if (entry.seq === seq) process.kill(process.pid, 'SIGKILL');
  };
}
