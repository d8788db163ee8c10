/** What a ramp step's hold leaves in the journal, the same for one balancer and a fleet. */
import type { Step } from '../../plan/types.js';
import type { RunContext } from '../execution/run-context.js';
import type { RampDecision } from './ramp-hold.js';

/**
 * Journals a ramp step's hold: a `probe` entry, and for a ramp that goes on unproven a warning
 * note too, so the report and status say it did not pass silently.
 */
export async function recordHold(
  ctx: RunContext,
  step: Step,
  node: string,
  decision: RampDecision,
  detail: string,
  data: Record<string, unknown>,
): Promise<void> {
  const inconclusive = decision === 'unproven' || decision === 'go-on-unproven';
  await ctx.record({
    type: 'probe',
    step: step.id,
    node,
    kind: 'error-rate',
    outcome: decision === 'go-on' || decision === 'go-on-unproven' ? 'passed' : 'failed',
    detail,
    data: inconclusive ? { ...data, inconclusive: true } : data,
  });
  if (decision === 'go-on-unproven') {
    await ctx.record({ type: 'note', node, step: step.id, message: detail, warning: true });
  }
}
