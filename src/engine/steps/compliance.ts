/**
 * Already-compliant nodes: the baseline is the verify command run before anything is done to
 * the node. When the plan gives it a compliance test — the verify expectation
 * (`equals`/`matches`) and/or the workflow's `neededWhen` checks — and the node passes it, the
 * node is skipped: no gate, no hooks, no drain, no patch, no reboot; reported `skipped (already
 * compliant)`. A check that cannot answer fails the step with the node untouched.
 */
import type { Step } from '../../plan/types.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok } from '../execution/run-context.js';
import { decideCompliance } from '../policy/compliance-verdict.js';
import { runCaptureBaseline } from './host-steps.js';
import { askNeededChecks } from './needed-checks.js';
import { judge } from './verify-step.js';

type BaselineStep = Extract<Step, { action: 'node.capture-baseline' }>;

export async function runBaselineOrSkip(ctx: RunContext, step: BaselineStep): Promise<StepOutcome> {
  const outcome = await runCaptureBaseline(ctx, step);
  const { command, host, skipIfCompliant: expect, neededWhen } = step.params;
  const output = outcome.status === 'ok' ? outcome.data?.output : undefined;
  const node = step.node;
  if (typeof output !== 'string' || node === undefined) return outcome;
  const testsOutput = expect !== undefined && expect.kind !== 'changed';
  if (!testsOutput && neededWhen === undefined) return outcome;

  const verdict = testsOutput ? judge(expect, output, undefined) : undefined;
  const expectation =
    verdict === undefined
      ? undefined
      : { ok: verdict.ok, detail: `\`${command}\` ${verdict.detail}` };
  const asked =
    neededWhen === undefined ? undefined : await askNeededChecks(ctx, step, host, neededWhen);
  const decision = decideCompliance(expectation, asked?.verdict);
  const data = { output, ...(asked === undefined ? {} : { checks: asked.answers }) };
  const name = ctx.state.nodes.get(node)?.name ?? node;
  switch (decision.kind) {
    case 'cannot-tell':
      return failed(
        'baseline-failed',
        `cannot tell whether ${name} needs the patch, so nothing was done to it: ${decision.detail}`,
        data,
      );
    case 'maintain':
      return ok(`${outcome.detail}; not compliant yet: ${decision.detail}`, data);
    case 'skip':
      // The node's end state is journaled before the step: a crash in between cannot drain it.
      await ctx.moveNode(node, 'skipped', {
        detail: `already compliant: ${decision.detail} before its drain; no drain, no patch, no reboot`,
      });
      await ctx.notify({
        kind: 'node-done',
        node,
        message: `${name} skipped: already compliant (${decision.detail})`,
      });
      return ok(`already compliant: ${decision.detail}`, { ...data, compliant: true });
  }
}
