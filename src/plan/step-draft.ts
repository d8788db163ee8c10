/**
 * Steps as the planner writes them (without number and id), and the helpers that keep their
 * inverses uniform. A step of an action that can be undone takes its undo from that action's
 * entry in undo.ts; any other step is read-only or says why it cannot be undone.
 * `numberSteps` gives each its place: 1-based index (the runbook's number) and a stable id
 * `s012-node.drain-i-abc`.
 */
import type { Step, StepActionName, StepInverse } from './types.js';
import type { ReversibleAction, Undo } from './undo.js';

type ReadOnly = Extract<StepInverse, { kind: 'none' }>;
type Irreversible = Extract<StepInverse, { kind: 'irreversible' }>;

/** An undo only for an action the undo table knows, and then only its own. */
type DraftInverse<A extends StepActionName> =
  | ReadOnly
  | Irreversible
  | (A extends ReversibleAction ? Undo<A> : never);

export type StepDraft = Step extends infer S
  ? S extends Step
    ? Omit<S, 'id' | 'index' | 'inverse'> & { inverse: DraftInverse<S['action']> }
    : never
  : never;

export const READ_ONLY: ReadOnly = { kind: 'none' };

export function irreversible(reason: string): Irreversible {
  return { kind: 'irreversible', reason };
}

export function numberSteps(drafts: readonly StepDraft[]): Step[] {
  return drafts.map((draft, offset) => {
    const index = offset + 1;
    const id = `s${String(index).padStart(3, '0')}-${draft.action}${draft.node ? `-${draft.node}` : ''}`;
    return { ...draft, id, index } as Step;
  });
}
