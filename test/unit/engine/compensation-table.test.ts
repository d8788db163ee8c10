/**
 * One table ties the runbook's `undo:` lines to what the engine does: the planner may declare an
 * undo only for an action of src/plan/undo.ts, made from that action's entry, and the engine's
 * compensations are a table over exactly those actions. The `@ts-expect-error` lines are the
 * test (`tsc --noEmit` fails if any of them compiles); the assertions check the same at run time.
 */
import { describe, expect, it } from 'vitest';
import {
  COMPENSATIONS,
  type Compensation,
  type Compensations,
} from '#src/engine/steps/compensations.js';
import type { StepDraft } from '#src/plan/step-draft.js';
import { type ReversibleAction, UNDO, undoOf } from '#src/plan/undo.js';

const at = { phase: 'rollout' as const, description: '', mutates: true, expectedSeconds: 1 };
const drain = {
  ...at,
  action: 'node.drain' as const,
  params: { loadBalancerId: 'lb-1', serverId: 'i-1', expectedWeight: 100 },
};
const patch = {
  ...at,
  action: 'node.patch' as const,
  params: { host: { kind: 'local' as const }, commands: [], timeoutSeconds: 1 },
};
const drainUndo = undoOf('node.drain', { label: 'web-1', weight: 100, foundAtZero: false });
const restoreUndo = undoOf('node.restore', { label: 'web-1' });
const handWritten = { kind: 'inverse', action: 'node.restore', description: 'anything' } as const;
const nothing: Compensation<'node.drain'> = async () => ({ kind: 'undone', detail: '' });

describe('the table of compensations', () => {
  it('has one compensation for each action the runbook prints an undo for, and no other', () => {
    expect(Object.keys(COMPENSATIONS).sort()).toEqual(Object.keys(UNDO).sort());
  });

  it('does not compile when the engine and the planner disagree about what can be undone', () => {
    const { 'dns.point': _point, ...withoutPoint } = COMPENSATIONS;
    // @ts-expect-error an action that declares an undo must have its compensation
    const missing: Compensations = withoutPoint;
    // @ts-expect-error an action that declares no undo has no compensation
    const extra: Compensations = { ...COMPENSATIONS, 'node.reboot': nothing };
    // Were the planner to declare an undo for a reboot, the engine's table would no longer do:
    // @ts-expect-error node.reboot would need its compensation
    const grown: { [A in ReversibleAction | 'node.reboot']: unknown } = COMPENSATIONS;
    expect([missing, extra, grown].length).toBe(3);
  });

  it("does not compile when a step declares an undo that is not its action's entry", () => {
    // @ts-expect-error a patch's undo is made from its rollback's facts, not a label alone
    const unknownAction = () => undoOf('node.patch', { label: 'web-1' });
    // @ts-expect-error a patch's draft carries no undo, not even another action's
    const patchUndone: StepDraft = { ...patch, inverse: drainUndo };
    // @ts-expect-error a drain's undo is the drain's entry, not the restore's
    const crossed: StepDraft = { ...drain, inverse: restoreUndo };
    // @ts-expect-error and never text written by hand
    const byHand: StepDraft = { ...drain, inverse: handWritten };
    const fine: StepDraft = { ...drain, inverse: drainUndo };
    const readOnly: StepDraft = { ...patch, inverse: { kind: 'irreversible', reason: 'r' } };
    expect([unknownAction, patchUndone, crossed, byHand, readOnly].length).toBe(5);
    expect(fine.inverse).toEqual({
      kind: 'inverse',
      action: 'node.restore',
      description: 'restore web-1 to its recorded weight (100)',
    });
  });
});
