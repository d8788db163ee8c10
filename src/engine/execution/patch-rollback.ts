/**
 * Rolling a node's patch back — the undo its `node.patch` step names in the runbook: the plan's
 * rollback steps for the node (the rollback commands, reboot, health checks, verify that the
 * old version runs, ramp), each run and journaled like any step, so a resumed run skips what
 * is done and continues where it stopped. A step that fails leaves the node out, at weight 0.
 */
import type { Step } from '../../plan/types.js';
import { undoLine } from '../../plan/undo.js';
import type { Compensates } from '../journal/entries.js';
import { dispositionFor } from '../policy/failure-policy.js';
import { takeBackOut } from '../steps/weight-compensations.js';
import type { Compensated, RunContext } from './run-context.js';
import { executeStep } from './run-step.js';

type PatchStep = Extract<Step, { action: 'node.patch' }>;

/** The node's rollback steps, in plan order; empty when its patch has no rollback. */
export function rollbackStepsOf(ctx: RunContext, node: string): Step[] {
  return ctx.state.plan.steps.filter((s) => s.rollback === true && s.node === node);
}

export async function rollBackPatch(
  ctx: RunContext,
  patch: PatchStep,
  mark: Compensates,
): Promise<Compensated> {
  const node = patch.node ?? '';
  const steps = rollbackStepsOf(ctx, node);
  const begun = steps.some((s) => ctx.state.completedSteps.has(s.id));
  if (!begun) {
    await ctx.record({
      type: 'note',
      node,
      step: patch.id,
      message: `rolling back the patch of ${ctx.state.nodes.get(node)?.name ?? node}: ${mark.undo ?? 'its rollback steps'}`,
      compensates: mark,
    });
  }
  for (const step of steps) {
    if (ctx.state.completedSteps.has(step.id)) continue;
    const outcome = await executeStep(ctx, step);
    if (outcome.status === 'ok') continue;
    if (outcome.status === 'stopped') {
      return { kind: 'error', detail: `the rollback was cut short: ${outcome.detail}` };
    }
    const disposition = dispositionFor('rolling-back', outcome.outcome, false);
    const reason = disposition.kind === 'leave-out' ? disposition.reason : 'error';
    let detail = `the rollback failed: ${outcome.detail}`;
    if (step.action === 'node.restore') {
      // Its ramp served errors again: back to 0, as a failed ramp of the patch is.
      const pulled = await takeBackOut(ctx, step, {
        step: step.id,
        ...(step.inverse.kind === 'inverse' ? { undo: undoLine(step.inverse) } : {}),
      });
      if (pulled.kind !== 'undone') detail = `${detail}; ${pulled.detail}`;
    }
    return { kind: 'left', reason, detail };
  }
  const verify = steps.find((s) => s.action === 'node.verify');
  const output = verify === undefined ? undefined : ctx.state.stepData.get(verify.id)?.output;
  return {
    kind: 'undone',
    detail: `patch rolled back: serving again on its old version${typeof output === 'string' ? ` (${output})` : ''}`,
  };
}
