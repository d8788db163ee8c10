/**
 * Running one step: dispatch to its handler, turn an unexpected error into a failed step (with
 * the error's code), and journal the step's end. Fatal errors (the journal cannot be written, a
 * state-machine bug) are not handled here: they stop the run where it stands.
 */
import { DrainctlError } from '../../errors/index.js';
import type { Step } from '../../plan/types.js';
import { FatalRunError, message } from '../engine-errors.js';
import { IllegalTransitionError } from '../policy/node-machine.js';
import { handlerFor } from '../steps/index.js';
import type { RunContext, StepOutcome } from './run-context.js';
import { failed, stopped } from './run-context.js';
import { isStop } from './run-control.js';
import { inScope } from './step-scope.js';

export async function executeStep(ctx: RunContext, step: Step): Promise<StepOutcome> {
  ctx.logger.info({ step: step.id, node: step.node }, `step ${step.index}: ${step.description}`);
  let outcome: StepOutcome;
  try {
    outcome = await inScope(
      {
        ...(step.node === undefined ? {} : { node: step.node }),
        step: { id: step.id, index: step.index },
      },
      () => handlerFor(step)(ctx, step),
    );
  } catch (error) {
    if (error instanceof FatalRunError || error instanceof IllegalTransitionError) throw error;
    if (isStop(error)) {
      outcome = stopped(`stop requested during ${step.action}`);
    } else {
      const code = error instanceof DrainctlError ? error.code : 'UNEXPECTED';
      outcome = failed('error', `${step.action} failed: ${code}: ${message(error)}`, { code });
    }
  }
  if (outcome.status === 'stopped') return outcome;
  await ctx.record({
    type: 'step',
    step: step.id,
    ...(step.node === undefined ? {} : { node: step.node }),
    action: step.action,
    status: outcome.status,
    detail: outcome.detail,
    ...(outcome.status === 'failed' ? { outcome: outcome.outcome } : {}),
    ...(outcome.data === undefined ? {} : { data: outcome.data }),
  });
  const log =
    outcome.status === 'ok' ? ctx.logger.info.bind(ctx.logger) : ctx.logger.warn.bind(ctx.logger);
  log(
    { step: step.id, status: outcome.status },
    `step ${step.index} ${outcome.status}: ${outcome.detail}`,
  );
  return outcome;
}
