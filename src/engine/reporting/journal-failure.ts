/**
 * What a person is told when the run's journal can no longer be written: each node where the
 * journal last put it, and every change that was sent but never journaled as done — in doubt
 * until `resume` reads it back. A result the process received but could not write is said too:
 * the change happened, only the journal does not know.
 */
import { JournalWriteError } from '../engine-errors.js';
import type { IntentEntry, NewEntry } from '../journal/entries.js';
import type { RunState } from '../journal/run-state.js';

/** The journal's write error, reworded with where the run stands. */
export function journalWriteFailure(
  error: JournalWriteError,
  state: RunState | undefined,
  runId: string,
  unwritten: readonly NewEntry[],
): JournalWriteError {
  if (state === undefined) {
    return new JournalWriteError(error.path, error.cause, { runId, started: false });
  }
  return new JournalWriteError(error.path, error.cause, {
    runId,
    started: true,
    nodes: describeStanding(state, unwritten),
  });
}

/**
 * `nodes as last journaled: web-1 (i-1) rebooting, weight 0 (in doubt: reboot sent, never
 * journaled as done); pending (untouched): web-2 (i-2)`.
 */
export function describeStanding(state: RunState, unwritten: readonly NewEntry[]): string {
  const applied = new Set(
    unwritten.flatMap((e) => (e.type === 'result' && e.applied ? [e.opId] : [])),
  );
  const intents = [...state.pendingIntents.values()];
  // An intent that could not be written was never sent: that much is certain.
  const notSent = unwritten.filter((e): e is NewIntent => e.type === 'intent');
  const about = (i: { node?: string; target: Record<string, unknown> }, id: string | undefined) =>
    id === undefined
      ? i.node === undefined && i.target.serverId === undefined
      : i.node === id || i.target.serverId === id;
  const changes = (id: string | undefined) => [
    ...intents.filter((i) => about(i, id)).map((i) => inDoubt(i, applied.has(i.opId))),
    ...notSent.filter((i) => about(i, id)).map((i) => `${describeOp(i)} not sent`),
  ];
  const untouched: string[] = [];
  const lines: string[] = [];
  for (const node of state.nodes.values()) {
    const said = changes(node.id);
    if (node.state === 'pending' && said.length === 0) {
      untouched.push(`${node.name} (${node.id})`);
      continue;
    }
    const weight = node.weight ?? node.originalWeight ?? planWeight(state, node.id);
    lines.push(
      `${node.name} (${node.id}) ${node.state}, weight ${weight ?? '?'}${said.length > 0 ? ` (${said.join(', ')})` : ''}`,
    );
  }
  const others = changes(undefined);
  const parts = [
    ...lines,
    ...(untouched.length > 0 ? [`pending (untouched): ${untouched.join(', ')}`] : []),
    ...(others.length > 0 ? [`not about a node: ${others.join(', ')}`] : []),
  ];
  return `nodes as last journaled: ${parts.join('; ') || 'none'}`;
}

function planWeight(state: RunState, id: string): number | undefined {
  return state.plan.nodes.find((n) => n.id === id)?.weight;
}

type NewIntent = Extract<NewEntry, { type: 'intent' }>;

/** `in doubt: reboot sent, never journaled as done`; `weight 100→0 applied, …`. */
function inDoubt(intent: IntentEntry, knownApplied: boolean): string {
  return knownApplied
    ? `${describeOp(intent)} applied, but its result could not be journaled`
    : `in doubt: ${describeOp(intent)} sent, never journaled as done`;
}

/** `weight 100→0`, `run-command yum update -y`, `reboot`, `dns.point www.example.com`. */
function describeOp(intent: NewIntent | IntentEntry): string {
  switch (intent.op) {
    case 'set-weight':
      return `weight ${intent.before.weight}→${intent.to.weight}`;
    case 'run-command':
      return `command \`${intent.to.command}\``;
    default:
      return intent.op;
  }
}
