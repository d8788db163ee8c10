/**
 * What a run's journal means to the people watching it: each entry, folded into the run's state
 * by the same reducer `status` and `resume` use, becomes zero or more notification events
 * (started, a server done or left out, halted, aborted, finished). Pure: entries in, events out.
 */
import type { NotifyEvent } from '../../ports/index.js';
import type { JournalEntry } from '../journal/entries.js';
import { applyEntry, initialRunState, type RunState } from '../journal/run-state.js';

/** Turns one journal entry after another into events; give it every entry, in order. */
export type RunEventTracker = (entry: JournalEntry) => NotifyEvent[];

/**
 * @param history  entries already written before this process went on (a resumed run's journal),
 *                 folded silently so a resumed run does not announce again what it already did
 * @example const track = runEventTracker(); for (const e of entries) events.push(...track(e));
 */
export function runEventTracker(history: readonly JournalEntry[] = []): RunEventTracker {
  let state: RunState | undefined;
  const fold = (entry: JournalEntry): RunState | undefined => {
    if (entry.type === 'plan') state = initialRunState(entry);
    else if (state !== undefined) applyEntry(state, entry);
    return state;
  };
  for (const entry of history) fold(entry);
  return (entry) => {
    const before = state === undefined ? undefined : nodeStates(state);
    const after = fold(entry);
    return after === undefined ? [] : eventsOf(entry, after, before);
  };
}

function nodeStates(state: RunState): Map<string, string> {
  return new Map([...state.nodes.values()].map((n) => [n.id, n.state]));
}

/**
 * The events of one entry, given the run's state after it and its nodes' states before it
 * (undefined for the plan entry): for a caller that folds the journal itself (`drainctl serve`).
 */
export function eventsOf(
  entry: JournalEntry,
  state: RunState,
  before: Map<string, string> | undefined,
): NotifyEvent[] {
  const base = { workflow: state.plan.workflow.name, at: entry.ts, runId: state.runId };
  const names = state.plan.nodes.map((n) => n.name);
  switch (entry.type) {
    case 'plan':
      return [{ ...base, kind: 'started', planSha256: state.sha256, nodes: names, resumed: false }];
    case 'resume':
      return [{ ...base, kind: 'started', planSha256: state.sha256, nodes: names, resumed: true }];
    case 'node-state': {
      const node = state.nodes.get(entry.node);
      // A state already reached (a resumed run journaling it again) is no news.
      if (node === undefined || before?.get(entry.node) === entry.state) return [];
      if (entry.state === 'done') {
        return [
          {
            ...base,
            kind: 'node-done',
            node: node.name,
            ...(node.before === undefined ? {} : { before: node.before }),
            ...(node.after === undefined ? {} : { after: node.after }),
          },
        ];
      }
      if (entry.state === 'left-out') {
        return [
          {
            ...base,
            kind: 'node-left-out',
            node: node.name,
            reason: node.reason ?? 'error',
            ...(node.detail === undefined ? {} : { detail: node.detail }),
          },
        ];
      }
      return [];
    }
    case 'halt':
      return [{ ...base, kind: 'halted', reason: entry.reason }];
    case 'abort-requested':
      return [{ ...base, kind: 'aborted', source: entry.source }];
    case 'done':
      return [
        {
          ...base,
          kind: 'finished',
          outcome: entry.outcome,
          summary: entry.summary,
          patched: [...state.nodes.values()]
            .filter((n) => n.state === 'done')
            .map((n) => ({
              node: n.name,
              ...(n.before === undefined ? {} : { before: n.before }),
              ...(n.after === undefined ? {} : { after: n.after }),
            })),
          leftOut: [...state.nodes.values()]
            .filter((n) => n.state === 'left-out')
            .map((n) => ({ node: n.name, reason: n.reason ?? 'error' })),
          durationMs: Math.max(0, Date.parse(entry.ts) - Date.parse(state.startedAt)),
        },
      ];
    case 'note': {
      // The gate is told each time what blocks it changes, so the room hears that too.
      if (entry.alertGate !== true) return [];
      const node = entry.node === undefined ? undefined : state.nodes.get(entry.node);
      return [
        {
          ...base,
          kind: 'alert-gate-blocking',
          ...(node === undefined ? {} : { node: node.name }),
          reason: entry.message,
        },
      ];
    }
    default:
      return [];
  }
}
