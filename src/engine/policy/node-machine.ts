/**
 * The node state machine: where one node is in its maintenance, and which moves are legal.
 * Pure: no I/O, no clock of its own (the time of a move is passed in), so every transition is
 * tested as a table. The executor asks it before it journals a `node-state` entry.
 *
 *   pending → draining → drained → patching → rebooting → verifying → restoring → done
 *
 * A canary is `baking` between `restoring` and `done` while its bake watches the balancer: back
 * at its weight and serving, its host changed.
 *
 * A plan may leave phases out (no reboot, no drain for a backend brought into service), so the
 * happy path may skip forward but never go back. A failure ends in `rolled-back` (the node was
 * put back exactly as it was found) or `left-out` (at weight 0, reported by name with a reason).
 * A node found already compliant before its drain (the verify expectation met, no `neededWhen`
 * check calling the patch needed) ends `skipped`, untouched. A node whose patch proved bad and
 * can be rolled back is `rolling-back` while its rollback runs (commands, reboot, proof, ramp —
 * the same steps, which then do not move it), and ends `rolled-back`, serving its old version,
 * or `left-out` if the rollback fails.
 */

export const NODE_STATES = [
  'pending',
  'draining',
  'drained',
  'patching',
  'rebooting',
  'verifying',
  'restoring',
  'baking',
  'done',
  'rolling-back',
  'rolled-back',
  'left-out',
  'skipped',
] as const;
export type NodeState = (typeof NODE_STATES)[number];

/** The happy path, in order. */
const PATH: readonly NodeState[] = [
  'pending',
  'draining',
  'drained',
  'patching',
  'rebooting',
  'verifying',
  'restoring',
  'baking',
  'done',
];

export type LeftOutReason =
  | 'unhealthy'
  | 'unpatched'
  | 'unreachable'
  /** Patched, but real traffic kept arriving until the reboot's timeout: never rebooted into it. */
  | 'not-rebooted'
  | 'drift'
  /** Patched and healthy, but its ramp saw too few requests to judge its 5xx rate. */
  | 'unproven'
  | 'error';

export type FailureOutcome =
  | 'gate-blocked'
  | 'drift'
  | 'drain-timeout'
  | 'hook-failed'
  | 'baseline-failed'
  | 'patch-failed'
  /** The cloud API refused the first patch command outright: nothing ran on the host. */
  | 'patch-refused'
  /** Real traffic reached the node after it was judged drained and did not stop before the reboot. */
  | 'traffic-at-reboot'
  | 'no-boot'
  | 'unhealthy'
  | 'unpatched'
  | 'bad-ramp'
  /** A ramp hold had too few requests to judge, after its extension (`onInconclusive: halt`). */
  | 'unproven-ramp'
  /** The canary's bake saw the balancer outside its limits after the canary was back. */
  | 'bad-bake'
  | 'aborted'
  | 'error';

export function isTerminal(state: NodeState): boolean {
  return state === 'done' || state === 'rolled-back' || state === 'left-out' || state === 'skipped';
}

/** The host has been changed by us (a patch began): from here on, undoing means a human. */
export function hostTouched(state: NodeState): boolean {
  return (
    state === 'patching' ||
    state === 'rebooting' ||
    state === 'verifying' ||
    state === 'restoring' ||
    state === 'baking' ||
    state === 'rolling-back'
  );
}

/**
 * A move a node does not make: while it rolls back, the rollback's reboot, verify and ramp are
 * the maintenance steps' own handlers, and their moves along the path do not apply.
 */
export function absorbsMove(from: NodeState, to: NodeState): boolean {
  return from === 'rolling-back' && PATH.includes(to) && to !== 'done';
}

/** Taken out of service by this run and not back yet: counts against `maxUnavailable`. */
export function outOfService(state: NodeState): boolean {
  return (
    state !== 'pending' &&
    state !== 'done' &&
    state !== 'rolled-back' &&
    state !== 'skipped' &&
    // A baking canary is back at its weight, serving.
    state !== 'baking'
  );
}

/**
 * May a node in `from` move to `to`? Forward along the path, or into a failure end state. A
 * node already `patching` may still be rolled back when its first patch command was refused by
 * the API before anything ran (`outcome` `patch-refused`): its host is as it was.
 */
export function canTransition(from: NodeState, to: NodeState, outcome?: FailureOutcome): boolean {
  if (isTerminal(from)) return false;
  // Already compliant before anything was done (steps/compliance.ts).
  if (to === 'skipped') return from === 'pending';
  if (to === 'left-out') return from !== 'pending';
  // A patch rolled back after it proved bad, from wherever that showed; it ends rolled back,
  // or left out (above) when its rollback fails.
  if (to === 'rolling-back') return hostTouched(from) && from !== 'rolling-back';
  if (from === 'rolling-back') return to === 'rolled-back';
  if (to === 'rolled-back') {
    if (from === 'patching' && outcome === 'patch-refused') return true;
    return from !== 'pending' && !hostTouched(from);
  }
  const a = PATH.indexOf(from);
  const b = PATH.indexOf(to);
  return b > a;
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly node: string,
    readonly from: NodeState,
    readonly to: NodeState,
  ) {
    super(`node ${node}: illegal state change ${from} → ${to}`);
  }
}

/** One recorded state change; `at` is wall-clock ms passed in by the caller. */
export interface NodeTransition {
  state: NodeState;
  at: number;
}

/** Move `from` → `to` or throw: a bug in the executor must never be journaled as a fact. */
export function transition(
  node: string,
  from: NodeState,
  to: NodeState,
  at: number,
): NodeTransition {
  if (!canTransition(from, to)) throw new IllegalTransitionError(node, from, to);
  return { state: to, at };
}
