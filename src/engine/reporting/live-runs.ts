/**
 * The runs this process is executing right now, so that a process that must leave at once (a
 * second Ctrl-C on a terminal) can still say which nodes it leaves out of service. Read-only
 * views of the run states the executor folds; nothing here changes a run.
 */

import type { RunState } from '../journal/run-state.js';
import { buildReport, describeWeight } from './report.js';

const live = new Set<RunState>();

/** Track a run while it executes; call the returned function when it ends. */
export function trackLiveRun(state: RunState): () => void {
  live.add(state);
  return () => {
    live.delete(state);
  };
}

/**
 * One line per node a live run has taken out of service and not yet put back (or left out and
 * named), with its state and last confirmed weight — what a person must see before the process
 * goes away.
 */
export function outOfServiceNow(): string[] {
  const lines: string[] = [];
  for (const state of live) {
    const report = buildReport(state, true);
    for (const node of report.unfinished) {
      lines.push(
        `${node.name} (${node.id}) of run ${state.runId}: ${node.state}, ${describeWeight(node)}`,
      );
    }
    for (const node of report.leftOut) {
      lines.push(`${node.name} (${node.id}) of run ${state.runId}: left out, ${node.reason}`);
    }
    for (const node of report.stillAtZero ?? []) {
      lines.push(`${node.name} (${node.id}) of run ${state.runId}: found at weight 0, not reached`);
    }
  }
  return lines;
}

/** The ids of the runs this process is executing. */
export function liveRunIds(): string[] {
  return [...live].map((state) => state.runId);
}
