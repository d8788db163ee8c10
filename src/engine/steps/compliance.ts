/**
 * Already-compliant nodes (the workflow's opt-in `patch.verify.skipIfCompliant`): the baseline
 * is the verify command run before anything is done to the node; when its output already
 * satisfies the verify expectation (`equals`/`matches`), the node is skipped — no gate, no
 * hooks, no drain, no patch, no reboot — and reported `skipped (already compliant)`.
 * `changed` never skips: it has nothing to compare with before the patch.
 */
import type { Step } from '../../plan/types.js';
import type { RunContext, StepOutcome } from '../run-context.js';
import { ok } from '../run-context.js';
import { runCaptureBaseline } from './host-steps.js';
import { judge } from './verify-step.js';

type BaselineStep = Extract<Step, { action: 'node.capture-baseline' }>;

export async function runBaselineOrSkip(ctx: RunContext, step: BaselineStep): Promise<StepOutcome> {
  const outcome = await runCaptureBaseline(ctx, step);
  const expect = step.params.skipIfCompliant;
  const output = outcome.status === 'ok' ? outcome.data?.output : undefined;
  if (expect === undefined || expect.kind === 'changed' || typeof output !== 'string') {
    return outcome;
  }
  const verdict = judge(expect, output, undefined);
  if (!verdict.ok || step.node === undefined) return outcome;
  // The node's end state is journaled before the step: a crash in between cannot drain it.
  await ctx.moveNode(step.node, 'skipped', {
    detail: `already compliant: \`${step.params.command}\` ${verdict.detail} before its drain; no drain, no patch, no reboot`,
  });
  await ctx.notify({
    kind: 'node-done',
    node: step.node,
    message: `${ctx.state.nodes.get(step.node)?.name ?? step.node} skipped: already compliant (${verdict.detail})`,
  });
  return ok(`already compliant: ${verdict.detail}`, { output, compliant: true });
}
