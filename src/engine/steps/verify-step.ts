/**
 * Verifying the patch took effect: the verify command's output after the reboot, compared with
 * the baseline captured before the patch (`changed`), a value (`equals`) or a pattern
 * (`matches`). Without a baseline, `changed` fails closed. An unchanged output with the
 * workflow's `neededWhen` checks is judged by them: none calls the patch needed — it had nothing
 * to do, the node was already current and goes on to its ramp.
 */
import type { Step, VerifyExpectation } from '../../plan/types.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok } from '../execution/run-context.js';
import { asJournaledText } from '../journal/redact-entry.js';
import { describeResult } from '../policy/command-result.js';
import { judgeUnchanged } from '../policy/compliance-verdict.js';
import { commandRan } from '../policy/reachability.js';
import { readOnlyCommand, succeeded, tail } from './host-steps.js';
import { askNeededChecks } from './needed-checks.js';

type VerifyStep = Extract<Step, { action: 'node.verify' }>;

export async function runVerify(ctx: RunContext, step: VerifyStep): Promise<StepOutcome> {
  const node = step.node ?? '';
  const { host, command, expect, timeoutSeconds } = step.params;
  await ctx.moveNode(node, 'verifying');
  const result = await readOnlyCommand(ctx, step, host, command, timeoutSeconds);
  if (!commandRan(result)) {
    // The command never ran: the machine reports Running but its OS or agent did not come up.
    return failed(
      'no-boot',
      `${node} does not run commands after the reboot (${describeResult(result)}): it did not come back`,
    );
  }
  if (!succeeded(result)) {
    return failed('unpatched', `verify command "${command}" failed: ${describeResult(result)}`);
  }
  // Its tail, as the baseline was journaled, so a long output compares equal.
  const output = tail(result.output.trim());
  const baseline = ctx.state.nodes.get(node)?.before;
  const verdict = judge(expect, output, baseline);
  const data = { output, ...(baseline === undefined ? {} : { baseline }) };
  const { neededWhen } = step.params;
  if (verdict.unchanged === true && neededWhen) {
    // A node the checks called needed before its drain did not become current by a patch that
    // changed nothing visible (it may have booted its old kernel): they are not asked again.
    const before = ctx.state.nodes.get(node)?.neededBefore;
    const asked =
      before === 'current' ? await askNeededChecks(ctx, step, host, neededWhen) : undefined;
    const judged = judgeUnchanged(output, verdict, before, asked?.verdict);
    const withChecks = { ...data, ...(asked === undefined ? {} : { checks: asked.answers }) };
    return judged.ok
      ? ok(judged.detail, { ...withChecks, alreadyCurrent: true })
      : failed('unpatched', judged.detail, withChecks);
  }
  return verdict.ok ? ok(verdict.detail, data) : failed('unpatched', verdict.detail, data);
}

/**
 * Compare the verify output with the expectation. Without a baseline, `changed` fails closed.
 * `unchanged`: `changed` found the output as the baseline was.
 *
 * @param baseline as folded from the journal: with secrets masked (asJournaledText)
 */
export function judge(
  expect: VerifyExpectation,
  output: string,
  baseline: string | undefined,
): { ok: boolean; detail: string; unchanged?: boolean } {
  switch (expect.kind) {
    case 'changed':
      if (baseline === undefined) {
        return {
          ok: false,
          detail: `cannot tell whether "${output}" changed: no baseline was captured`,
        };
      }
      // Compared as the journal holds the baseline: every `${VAR}` value is masked there, also
      // one that merely stands in the output too (`10` in `3.10.0-…`), so the raw output would
      // always differ. A change hidden inside a masked span reads as unchanged: it fails closed.
      return asJournaledText(output) !== baseline
        ? { ok: true, detail: `changed: ${baseline} → ${output}` }
        : {
            ok: false,
            detail: `unchanged: still ${output} (the patch did not take effect)`,
            unchanged: true,
          };
    case 'baseline':
      // A rollback's proof: the old version's output, as the journal holds it.
      if (baseline === undefined) {
        return {
          ok: false,
          detail: `cannot tell whether "${output}" is the old version: no baseline was captured`,
        };
      }
      return asJournaledText(output) === baseline
        ? { ok: true, detail: `the old version runs again: ${output}` }
        : { ok: false, detail: `expected the old version ${baseline}, found ${output}` };
    case 'equals':
      return output === expect.value
        ? { ok: true, detail: `equals ${expect.value}` }
        : { ok: false, detail: `expected ${expect.value}, found ${output}` };
    case 'matches': {
      let pattern: RegExp;
      try {
        pattern = new RegExp(expect.pattern);
      } catch {
        return {
          ok: false,
          detail: `the expected pattern /${expect.pattern}/ is not a regular expression`,
        };
      }
      return pattern.test(output)
        ? { ok: true, detail: `${output} matches /${expect.pattern}/` }
        : { ok: false, detail: `${output} does not match /${expect.pattern}/` };
    }
  }
}
