/**
 * Asking a node the workflow's `neededWhen` checks: read-only commands, run one after the other
 * through the node's Host like the verify command, judged together (compliance-verdict.ts).
 */

import type { HostTarget, NeededCheck, Step } from '../../plan/types.js';
import type { RunContext } from '../execution/run-context.js';
import { type CheckAnswer, judgeNeed, type NeedVerdict } from '../policy/compliance-verdict.js';
import { readOnlyCommand } from './host-steps.js';

export async function askNeededChecks(
  ctx: RunContext,
  step: Step,
  host: HostTarget,
  checks: readonly NeededCheck[],
): Promise<{ verdict: NeedVerdict; answers: Array<{ command: string; exitCode: number | null }> }> {
  const answers: CheckAnswer[] = [];
  for (const check of checks) {
    const result = await readOnlyCommand(ctx, step, host, check.command, check.timeoutSeconds);
    answers.push({ check, result });
  }
  return {
    verdict: judgeNeed(answers),
    // For the journal: what each check answered (its output stays out; the verdict names it).
    answers: answers.map(({ check, result }) => ({
      command: check.command,
      exitCode: result.exitCode,
    })),
  };
}
