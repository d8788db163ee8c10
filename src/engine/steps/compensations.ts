/**
 * The compensations: how the engine undoes each plan action that can be undone — one for each
 * action src/plan/undo.ts describes an undo for, and no other (a missing or an extra one does
 * not compile). Whatever takes a change back runs them, so what is undone is what the runbook's
 * `undo:` line said:
 *
 *   node.drain     the rollback of a node whose host is untouched, the stand-down of an abort
 *   node.restore   the failure policy's pull to weight 0; a failed bring-in
 *   node.patch     the rollback of a patch that proved bad (execution/patch-rollback.ts)
 *   dns.point      a cutover that did not happen (a later preparation step failed or stopped)
 *   dns.set-ttl    the same, for a TTL lowered ahead of it
 *   node.nginx-upgrade  the way back of nginx's hot upgrade, when one of its steps failed
 *
 * When a step is undone is the failure policy's (failure-policy.ts, node-runner.ts,
 * executor.ts), not theirs. Each journals what it did with the step and its undo line
 * (`compensates`): on the intent of the change it makes or — when it makes none (undone
 * already, left as found, changed by someone else) — on the note that says why.
 */
import type { Step } from '../../plan/types.js';
import type { ReversibleAction } from '../../plan/undo.js';
import { rollBackPatch } from '../execution/patch-rollback.js';
import type { Compensated, RunContext } from '../execution/run-context.js';
import type { Compensates } from '../journal/entries.js';
import { compensationMark } from './compensation-mark.js';
import { pointBack, setTtlBack } from './dns-compensations.js';
import { takeWayBack } from './nginx-upgrade-calls.js';
import { putBack, takeBackOut } from './weight-compensations.js';

export type Compensation<A extends ReversibleAction> = (
  ctx: RunContext,
  step: Extract<Step, { action: A }>,
  mark: Compensates,
) => Promise<Compensated>;

export type Compensations = { readonly [A in ReversibleAction]: Compensation<A> };

export const COMPENSATIONS: Compensations = {
  'node.drain': putBack,
  'node.restore': takeBackOut,
  'node.nginx-upgrade': takeWayBack,
  'node.patch': rollBackPatch,
  'dns.set-ttl': setTtlBack,
  'dns.point': pointBack,
};

/** Undo `step` with its action's compensation. */
export function compensate<A extends ReversibleAction>(
  ctx: RunContext,
  step: Extract<Step, { action: A }>,
): Promise<Compensated> {
  const compensation: Compensation<A> = COMPENSATIONS[(step as Step).action as A];
  return compensation(ctx, step, compensationMark(step));
}
