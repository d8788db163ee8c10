/**
 * The handlers of a patch rollback's own steps: recording, before the patch, what a rollback
 * returns to, and running the rollback commands with `{previous}` replaced by it. The rest of a
 * rollback (reboot, health, verify, ramp) is the maintenance steps' own handlers.
 */
import { PREVIOUS_PLACEHOLDER } from '../../plan/rollback-steps.js';
import type { Step } from '../../plan/types.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok } from '../execution/run-context.js';
import { describeResult } from '../policy/command-result.js';
import { keptOutput, mutatingCommand, readOnlyCommand, succeeded } from './host-steps.js';

type PointStep = Extract<Step, { action: 'node.rollback-point' }>;
type RollbackStep = Extract<Step, { action: 'node.rollback-patch' }>;

export async function runRollbackPoint(ctx: RunContext, step: PointStep): Promise<StepOutcome> {
  const { host, command, timeoutSeconds } = step.params;
  const result = await readOnlyCommand(ctx, step, host, command, timeoutSeconds);
  if (!succeeded(result)) {
    // Without it there is nothing to roll back to: the node is not patched.
    return failed('baseline-failed', `"${command}" failed: ${describeResult(result)}`);
  }
  const previous =
    step.params.read === 'transaction-id'
      ? newestTransaction(result.output)
      : keptOutput(result.output.trim());
  if (previous === undefined) {
    return failed('baseline-failed', `"${command}" listed no transaction to roll back to`);
  }
  return ok(`a rollback returns ${step.node} to ${previous}`, { previous });
}

export async function runRollbackPatch(ctx: RunContext, step: RollbackStep): Promise<StepOutcome> {
  const previous = previousOf(ctx, step.node ?? '');
  if (previous === undefined) {
    return failed('error', 'nothing was recorded before the patch to roll back to');
  }
  const { host, commands, timeoutSeconds } = step.params;
  for (const [index, template] of commands.entries()) {
    const opId = `${step.id}#cmd${index + 1}`;
    // Done before a crash: setting a boot entry or running the workflow's rollback again
    // would be harmless, but its result is known.
    if (ctx.state.completedOps.has(opId)) continue;
    const command = template.split(PREVIOUS_PLACEHOLDER).join(previous);
    const result = await mutatingCommand(ctx, step, opId, host, command, timeoutSeconds);
    if (!succeeded(result)) {
      return failed(
        'error',
        `rollback command ${index + 1} "${command}" failed: ${describeResult(result)}`,
        {
          exitCode: result.exitCode,
          output: keptOutput(result.output),
        },
      );
    }
  }
  return ok(`rollback to ${previous}: ${commands.length} command(s) succeeded`, { previous });
}

/** The newest transaction's id in a `yum history list` table (its first row: newest first). */
export function newestTransaction(table: string): string | undefined {
  return /^\s*(\d+)\s+\|/m.exec(table)?.[1];
}

/** What the node's `node.rollback-point` recorded. */
export function previousOf(ctx: RunContext, node: string): string | undefined {
  const point = ctx.state.plan.steps.find(
    (s) => s.action === 'node.rollback-point' && s.node === node,
  );
  const previous = point === undefined ? undefined : ctx.state.stepData.get(point.id)?.previous;
  return typeof previous === 'string' ? previous : undefined;
}
