/**
 * Recovery time: for a node whose maintenance failed, from the moment the failure was detected
 * (its failed step journaled) to capacity restored (the node serving at its weight again:
 * rolled back, its patch or its drain undone). A node left out has no restore time: its
 * capacity is still missing. Pure: read from the folded journal.
 */
import type { RunState } from '../journal/run-state.js';

export interface Recovery {
  /** ISO time the failure was journaled. */
  detectedAt: string;
  /** ISO time the node was serving again; absent while it is not. */
  restoredAt?: string;
  /** `restoredAt` − `detectedAt`, in seconds (one decimal). */
  seconds?: number;
}

export function recoveryOf(state: RunState, nodeId: string): Recovery | undefined {
  // The failure that began it: the node's first failed step outside a rollback.
  const failure = [...state.failedSteps.values()]
    .filter((entry) => entry.node === nodeId && state.stepsById.get(entry.step)?.rollback !== true)
    .sort((a, b) => a.seq - b.seq)[0];
  if (failure === undefined) return undefined;
  const record = state.nodes.get(nodeId);
  const restored =
    record?.state === 'rolled-back'
      ? record.timeline.findLast((t) => t.state === 'rolled-back')?.at
      : undefined;
  if (restored === undefined) return { detectedAt: failure.ts };
  const seconds = Math.round((Date.parse(restored) - Date.parse(failure.ts)) / 100) / 10;
  return { detectedAt: failure.ts, restoredAt: restored, seconds: Math.max(0, seconds) };
}
