/**
 * What `drainctl serve` reads about runs beyond one run's status: the latest runs in
 * DRAINCTL_HOME, and every balancer's unfinished run (listed when the server starts, resumed only
 * when an operator asks). Reads journals only.
 */
import {
  listRuns,
  listUnfinishedRuns,
  type RunStatus,
  readRunStatus,
  type UnfinishedRun,
} from '../engine/index.js';

/** The latest `limit` runs, newest first, each as `drainctl status <id>` reads it. */
export async function recentRuns(home: string, limit: number): Promise<RunStatus[]> {
  const ids = (await listRuns(home)).slice(-limit).reverse();
  const runs: RunStatus[] = [];
  for (const runId of ids) runs.push(await readRunStatus(home, runId));
  return runs;
}

/** Every balancer's latest run that did not complete and that no live process holds. */
export function unfinishedRuns(
  home: string,
): Promise<{ unfinished: UnfinishedRun[]; unreadable: Array<{ runId: string; problem: string }> }> {
  return listUnfinishedRuns(home);
}
