/**
 * Already-compliant nodes: the baseline is the verify command run before anything is done to
 * the node. When the plan gives it a compliance test — the verify expectation
 * (`equals`/`matches`) and/or the workflow's `neededWhen` checks — and the node passes it, the
 * node is skipped: no gate, no hooks, no drain, no patch, no reboot; reported `skipped (already
 * compliant)`. A check that cannot answer fails the step with the node untouched.
 */
import { savedWeightKey } from '../../plan/saved-weight-tag.js';
import type { Step } from '../../plan/types.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok } from '../execution/run-context.js';
import { decideCompliance } from '../policy/compliance-verdict.js';
import { runCaptureBaseline } from './host-steps.js';
import { askNeededChecks } from './needed-checks.js';
import { forgetSavedWeight, savedWeightTarget } from './saved-weight.js';
import { judge } from './verify-step.js';

type BaselineStep = Extract<Step, { action: 'node.capture-baseline' }>;

export async function runBaselineOrSkip(ctx: RunContext, step: BaselineStep): Promise<StepOutcome> {
  const outcome = await runCaptureBaseline(ctx, step);
  const { command, host, skipIfCompliant: expect, neededWhen } = step.params;
  const output = outcome.status === 'ok' ? outcome.data?.output : undefined;
  const node = step.node;
  if (typeof output !== 'string' || node === undefined) return outcome;
  if (step.params.neverSkip === true && neededWhen !== undefined) {
    // Only how the node was found: it is maintained whatever the checks answer, and the verify
    // step reads the verdict (`needed`) before it takes an unchanged output as already current.
    const asked = await askNeededChecks(ctx, step, host, neededWhen);
    return ok(`${outcome.detail}; found ${asked.verdict.kind}: ${asked.verdict.detail}`, {
      output,
      checks: asked.answers,
      needed: asked.verdict.kind,
    });
  }
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
  const data = {
    output,
    ...(asked === undefined ? {} : { checks: asked.answers, needed: asked.verdict.kind }),
  };
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
    case 'skip': {
      // It serves at (or above) any weight saved for it: a tag the plan saw, left by a run that
      // did not finish, has nothing left to bring it back to.
      const target = savedWeightTarget(ctx, node);
      const tags = ctx.state.plan.inventory.loadBalancer?.tags ?? {};
      if (target !== undefined && savedWeightKey(target.serverId) in tags) {
        await forgetSavedWeight(ctx, target, `${target.serverId} serves and needs nothing`);
      }
      // The node's end state is journaled before the step: a crash in between cannot drain it.
      await ctx.moveNode(node, 'skipped', {
        detail: `already compliant: ${decision.detail} before its drain; no drain, no patch, no reboot`,
      });
      return ok(`already compliant: ${decision.detail}`, { ...data, compliant: true });
    }
  }
}
