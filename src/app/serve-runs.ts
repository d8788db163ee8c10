/**
 * What `drainctl serve` reads about runs beyond one run's status: the latest runs in
 * DRAINCTL_HOME (or the database replicas share), and every balancer's unfinished run (listed when the server starts, resumed only
 * when an operator asks). Reads journals only.
 */
import {
  listRuns,
  listUnfinishedRuns,
  type RunStatus,
  readRunStatus,
  type UnfinishedRun,
} from '../engine/index.js';
import { DrainctlError } from '../errors/index.js';
import type { SharedStorage } from '../ports/index.js';

/**
 * The latest `limit` runs, newest first, each as `drainctl status <id>` reads it (from the
 * database replicas share when given). A run whose
 * journal cannot be read is left out here: `unfinishedRuns` names it with its problem, and one
 * damaged journal must not hide every other run.
 */
export async function recentRuns(
  home: string,
  limit: number,
  shared?: SharedStorage,
): Promise<RunStatus[]> {
  const all = shared === undefined ? await listRuns(home) : await shared.listRuns();
  const ids = all.slice(-limit).reverse();
  const runs: RunStatus[] = [];
  for (const runId of ids) {
    const status = await readRunStatus(home, runId, undefined, shared).catch((error: unknown) => {
      if (error instanceof DrainctlError) return undefined;
      throw error;
    });
    if (status !== undefined) runs.push(status);
  }
  return runs;
}

/**
 * Every balancer's latest run that did not complete and that no live process holds (in the
 * database replicas share when given: there no replica's lease holds it).
 */
export function unfinishedRuns(
  home: string,
  shared?: SharedStorage,
): Promise<{ unfinished: UnfinishedRun[]; unreadable: Array<{ runId: string; problem: string }> }> {
  return listUnfinishedRuns(home, shared);
}

/**
 * Runs in the database replicas share that did not end and whose balancer no live lease holds
 * for them: their replica died (or handed them over). Another replica resumes them.
 */
export async function orphanedRuns(home: string, shared: SharedStorage): Promise<string[]> {
  const orphaned: string[] = [];
  for (const runId of await shared.unfinishedRuns()) {
    const status = await readRunStatus(home, runId, undefined, shared);
    if (!status.running) orphaned.push(runId);
  }
  return orphaned;
}
