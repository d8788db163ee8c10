/**
 * The plain progress lines for pipes and CI logs: one line per change of state a person follows
 * (a server's state, a weight confirmed, a wait begun, a gate that blocks, a drain's verdict, a
 * failed step, a halt, the end), stamped with the entry's own time. Never a cursor code.
 */
import type { IntentEntry, JournalEntry } from '../engine/journal/entries.js';
import type { RunState } from '../engine/journal/run-state.js';
import { formatDuration } from '../plan/index.js';

/** `entry` already applied to `state`; `intent` is the one a `result` confirms, if any. */
export function progressLines(
  entry: JournalEntry,
  state: RunState,
  intent: IntentEntry | undefined,
): string[] {
  const line = describe(entry, state, intent);
  return line === undefined ? [] : [`${clockTime(entry.ts)} ${line}`];
}

/** `02:03:04` of an ISO time (UTC, as the journal writes it). */
function clockTime(iso: string): string {
  return iso.slice(11, 19);
}

function serverLabel(state: RunState, id: string | undefined): string {
  if (id === undefined) return 'run';
  const node = state.nodes.get(id);
  return node === undefined || node.name === id ? id : `${node.name} (${id})`;
}

function describe(
  entry: JournalEntry,
  state: RunState,
  intent: IntentEntry | undefined,
): string | undefined {
  switch (entry.type) {
    case 'plan': {
      const plan = entry.plan;
      return (
        `run ${entry.runId} started: ${plan.workflow.name}, ${plan.nodes.length} server(s) in ` +
        `${plan.batches.length} batch(es) on ${plan.loadBalancer.name}, estimated ${formatDuration(plan.estimate.totalSeconds)}`
      );
    }
    case 'resume':
      return `run ${state.runId} resumed (pid ${entry.pid} on ${entry.host})`;
    case 'node-state': {
      const why = entry.reason ?? entry.outcome;
      return (
        `${serverLabel(state, entry.node)}: ${entry.from} → ${entry.state}` +
        `${why === undefined ? '' : ` (${why})`}${entry.detail === undefined ? '' : `: ${entry.detail}`}`
      );
    }
    case 'result': {
      if (entry.op !== 'set-weight' || !entry.applied) return undefined;
      const server = String(entry.after.serverId);
      const before = intent?.before.weight;
      const lb = entry.after.loadBalancerId ?? intent?.target.loadBalancerId;
      return (
        `${serverLabel(state, server)}: weight ${typeof before === 'number' ? `${before} → ` : ''}` +
        `${String(entry.after.weight)}${lb === undefined ? '' : ` on ${String(lb)}`}`
      );
    }
    case 'note':
      if (entry.waiting === true)
        return `${serverLabel(state, entry.node)} waits: ${entry.message}`;
      if (entry.warning === true) return `warning: ${entry.message}`;
      if (entry.cloudRetry !== undefined) return entry.message;
      return undefined;
    case 'gate':
      return entry.passed
        ? undefined
        : `${serverLabel(state, entry.node)}: gate blocks: ${entry.summary}`;
    case 'probe':
      return entry.kind === 'drain' && entry.recheck !== true
        ? `${serverLabel(state, entry.node)}: drain ${entry.outcome}: ${entry.detail}`
        : undefined;
    case 'step': {
      if (entry.status !== 'failed') return undefined;
      const step = state.stepsById.get(entry.step);
      return `${serverLabel(state, entry.node)}: failed: ${step?.description ?? entry.step}: ${entry.detail}`;
    }
    case 'halt':
      return `halting: ${entry.reason}`;
    case 'abort-requested':
      return `abort requested (${entry.source})`;
    case 'retry':
      return `${serverLabel(state, entry.node)}: retried from ${entry.from} (weight ${entry.weight})`;
    case 'done':
      return `run ${entry.outcome}: ${entry.summary}`;
    default:
      return undefined;
  }
}
