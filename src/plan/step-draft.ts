/**
 * Steps as the planner writes them (without number and id), and the helpers that keep their
 * inverses uniform. `numberSteps` gives each its place: 1-based index (the runbook's number)
 * and a stable id `s012-node.drain-i-abc`.
 */
import type { Step, StepActionName, StepInverse } from './types.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type StepDraft = DistributiveOmit<Step, 'id' | 'index'>;

export const READ_ONLY: StepInverse = { kind: 'none' };

export function inverse(action: StepActionName, description: string): StepInverse {
  return { kind: 'inverse', action, description };
}

export function irreversible(reason: string): StepInverse {
  return { kind: 'irreversible', reason };
}

export function numberSteps(drafts: readonly StepDraft[]): Step[] {
  return drafts.map((draft, offset) => {
    const index = offset + 1;
    const id = `s${String(index).padStart(3, '0')}-${draft.action}${draft.node ? `-${draft.node}` : ''}`;
    return { ...draft, id, index } as Step;
  });
}
