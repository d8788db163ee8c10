/**
 * Where the runs a look back reads live: the journals in DRAINCTL_HOME, or the database replicas
 * share (DRAINCTL_DATABASE_URL). "Held live" follows the storage: a lock file whose heartbeat is
 * fresh, or a lease naming the run that has not expired.
 */
import { readFile } from 'node:fs/promises';
import type { SharedStorage } from '../../ports/index.js';
import type { JournalEntry } from '../journal/entries.js';
import { SharedJournalStore } from '../journal/shared-journal-store.js';
import { FileJournalStore } from '../journal/store.js';
import { readLock, staleness } from '../lock/balancer-lock.js';
import { journalPath, listRuns } from './run-dir.js';

export interface RunJournals {
  /** Run ids, oldest first. */
  list(): Promise<string[]>;
  read(runId: string): Promise<JournalEntry[]>;
  /** The journal's first line as written (the plan), or '' when it cannot be read. */
  firstLine(runId: string): Promise<string>;
  /** Where the run's journal is, for messages. */
  where(runId: string): string;
  /** Whether a live process (a replica) holds one of `keys` for the run. */
  heldLive(keys: readonly string[], runId: string): Promise<boolean>;
}

/** The runs of DRAINCTL_HOME, or of the database replicas share when given. */
export function runJournals(home: string, shared?: SharedStorage): RunJournals {
  return shared === undefined ? fileJournals(home) : sharedJournals(shared);
}

/** A run's journal in the database, only read: no lease is needed, and nothing is waited for. */
export function readSharedJournal(shared: SharedStorage, runId: string): Promise<JournalEntry[]> {
  const readOnly = { fences: () => [], heldUntil: () => undefined };
  const clock = { now: Date.now, monotonic: () => 0, sleep: () => Promise.resolve() };
  return new SharedJournalStore(shared.journal(runId), readOnly, clock).read();
}

function fileJournals(home: string): RunJournals {
  return {
    list: () => listRuns(home),
    read: (runId) => new FileJournalStore(journalPath(home, runId)).read(),
    firstLine: (runId) =>
      readFile(journalPath(home, runId), 'utf8').then(
        (text) => text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n')),
        () => '',
      ),
    where: (runId) => journalPath(home, runId),
    async heldLive(keys, runId) {
      for (const key of keys) {
        const info = await readLock(home, key).catch(() => undefined);
        if (info?.runId === runId && !staleness(info, Date.now()).stale) return true;
      }
      return false;
    },
  };
}

function sharedJournals(shared: SharedStorage): RunJournals {
  return {
    list: () => shared.listRuns(),
    read: (runId) => readSharedJournal(shared, runId),
    firstLine: (runId) =>
      shared
        .journal(runId)
        .read()
        .then(
          (lines) => lines[0] ?? '',
          () => '',
        ),
    where: (runId) => `run ${runId} in ${shared.describe()}`,
    async heldLive(keys, runId) {
      for (const key of keys) {
        const lease = await shared.leases.read(key);
        if (lease?.runId === runId && Date.parse(lease.expiresAt) > Date.now()) return true;
      }
      return false;
    },
  };
}
