/**
 * What a compensation journals beside the change it makes: the step it undoes and the undo line
 * the runbook printed for it. Its own module so a step that undoes itself (nginx's way back) marks
 * it as the compensation table does without importing the table, which runs whole steps.
 */
import type { Step } from '../../plan/types.js';
import { undoLine } from '../../plan/undo.js';
import type { Compensates } from '../journal/entries.js';

export function compensationMark(step: Step): Compensates {
  return {
    step: step.id,
    ...(step.inverse.kind === 'inverse' ? { undo: undoLine(step.inverse) } : {}),
  };
}
