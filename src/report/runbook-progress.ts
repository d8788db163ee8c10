/**
 * The runbook `drainctl plan` prints, step by step, with how far the run got: each step done,
 * failed, in progress, still to come, or not run (the run ended first, or its server ended
 * before it: rolled back, left out, skipped). Pure.
 */
import type { RunState } from '../engine/journal/run-state.js';
import { isTerminal } from '../engine/policy/node-machine.js';
import { formatDuration, sectionOf, undoLine } from '../plan/index.js';

export type StepStatus = 'done' | 'failed' | 'current' | 'pending' | 'not-run';

export interface RunbookStep {
  index: number;
  id: string;
  section: string;
  node?: string;
  description: string;
  undo: string;
  estimate: string;
  status: StepStatus;
  /** When the journal first mentioned it, and when it wrote its end. */
  startedAt?: string;
  endedAt?: string;
  /** The step's journaled detail when it failed. */
  detail?: string;
}

export interface RunbookProgress {
  estimate: string;
  steps: RunbookStep[];
  /** The indexes of the steps in progress (several when servers of a batch go together). */
  current: number[];
}

/** When each step was first mentioned in the journal and when its `step` entry was written. */
export interface StepMarks {
  started: Map<string, string>;
  ended: Map<string, string>;
}

export function runbookProgress(
  state: RunState,
  marks: StepMarks,
  inProgress: boolean,
): RunbookProgress {
  const current = inProgress ? currentSteps(state) : new Set<string>();
  const steps = state.plan.steps.map((step): RunbookStep => {
    const failed = state.failedSteps.get(step.id);
    const node = step.node === undefined ? undefined : state.nodes.get(step.node);
    const status: StepStatus = state.completedSteps.has(step.id)
      ? 'done'
      : failed !== undefined
        ? 'failed'
        : current.has(step.id)
          ? 'current'
          : !inProgress || (node !== undefined && isTerminal(node.state))
            ? 'not-run'
            : 'pending';
    const startedAt = marks.started.get(step.id);
    const endedAt = marks.ended.get(step.id);
    return {
      index: step.index,
      id: step.id,
      section: sectionOf(step),
      ...(step.node === undefined ? {} : { node: step.node }),
      description: step.description,
      undo: undoLine(step.inverse),
      estimate: formatDuration(step.expectedSeconds),
      status,
      ...(startedAt === undefined ? {} : { startedAt }),
      ...(endedAt === undefined || status === 'current' ? {} : { endedAt }),
      ...(failed === undefined ? {} : { detail: failed.detail }),
    };
  });
  return {
    estimate: formatDuration(state.plan.estimate.totalSeconds),
    steps,
    current: steps.filter((step) => step.status === 'current').map((step) => step.index),
  };
}

/**
 * The steps in progress: the first step not yet done; when it belongs to a batch, the first
 * step not yet done of each server of that batch still on its way (they run side by side).
 */
function currentSteps(state: RunState): Set<string> {
  const open = (id: string) => !state.completedSteps.has(id) && !state.failedSteps.has(id);
  // A server that ended early (rolled back, left out, skipped) never finishes its steps.
  const ended = (node: string | undefined) => {
    const record = node === undefined ? undefined : state.nodes.get(node);
    return record !== undefined && isTerminal(record.state);
  };
  const first = state.plan.steps.find((step) => open(step.id) && !ended(step.node));
  if (first === undefined) return new Set();
  if (first.node === undefined || first.batch === undefined || first.phase !== 'rollout') {
    return new Set([first.id]);
  }
  const ids = new Set<string>();
  for (const node of state.nodes.values()) {
    if (node.batch !== first.batch || isTerminal(node.state)) continue;
    const next = state.plan.steps.find(
      (step) => step.node === node.id && step.phase === 'rollout' && open(step.id),
    );
    if (next !== undefined) ids.add(next.id);
  }
  return ids.size > 0 ? ids : new Set([first.id]);
}
