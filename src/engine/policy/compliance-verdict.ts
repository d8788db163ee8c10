/**
 * Does a node need the patch? The pure judgements behind the skip before a drain and behind an
 * unchanged output after the patch (`expect: changed`). The workflow's `neededWhen` checks
 * answer by exit code — 0: current; their `exitCode`: needed; anything else: cannot tell, and
 * "cannot tell" never skips a node or puts one back: it fails closed.
 */
import type { NeededCheck } from '../../plan/types.js';
import type { CommandResult } from '../../ports/index.js';
import { describeResult } from './command-result.js';

/** One check and what the host answered. */
export interface CheckAnswer {
  check: NeededCheck;
  result: CommandResult;
}

export type NeedVerdict =
  /** Every check exited 0. */
  | { kind: 'current'; detail: string }
  /** At least one check exited with its `exitCode`, and none failed to answer. */
  | { kind: 'needed'; detail: string }
  /** At least one check answered something else (or none was asked). */
  | { kind: 'unknown'; detail: string };

type Answered = 'current' | 'needed' | 'unknown';

function classify({ check, result }: CheckAnswer): Answered {
  if (result.status === 'success' && result.exitCode === 0) return 'current';
  // A non-zero exit is a "failed" invocation to Cloud Assistant and SSH alike: still an answer.
  if ((result.status === 'failed' || result.status === 'success') && result.exitCode !== 0) {
    return result.exitCode === check.exitCode ? 'needed' : 'unknown';
  }
  return 'unknown';
}

export function judgeNeed(answers: readonly CheckAnswer[]): NeedVerdict {
  if (answers.length === 0) return { kind: 'unknown', detail: 'no check was asked' };
  const by = (kind: Answered) => answers.filter((answer) => classify(answer) === kind);
  const unknown = by('unknown');
  if (unknown.length > 0) {
    return {
      kind: 'unknown',
      detail: unknown
        .map(
          ({ check, result }) =>
            `\`${check.command}\` answered ${describeResult(result)}, expected exit 0 (current) or ${check.exitCode} (needs the patch)`,
        )
        .join('; '),
    };
  }
  const needed = by('needed');
  if (needed.length > 0) {
    return {
      kind: 'needed',
      detail: `${needed.map(({ check }) => `\`${check.command}\` exited ${check.exitCode}`).join(', ')}: the patch is needed`,
    };
  }
  return {
    kind: 'current',
    detail: `no check says the patch is needed (${answers.map(({ check }) => `\`${check.command}\` exited 0`).join(', ')})`,
  };
}

export type ComplianceDecision =
  /** Already compliant: no gate, hooks, drain, patch or reboot. */
  | { kind: 'skip'; detail: string }
  | { kind: 'maintain'; detail: string }
  /** A check could not answer: the node is left untouched and the rollout told why. */
  | { kind: 'cannot-tell'; detail: string };

/**
 * Before a drain: skipped only when everything the workflow asks agrees — the baseline meets the
 * expectation (when there is one: `equals`/`matches`) and no check calls the patch needed (when
 * there are checks). A check that cannot answer fails closed, whatever the rest says.
 *
 * @param expectation the verify expectation judged on the baseline, its detail naming the command
 */
export function decideCompliance(
  expectation: { ok: boolean; detail: string } | undefined,
  need: NeedVerdict | undefined,
): ComplianceDecision {
  if (need?.kind === 'unknown') return { kind: 'cannot-tell', detail: need.detail };
  if (expectation !== undefined && !expectation.ok) {
    return { kind: 'maintain', detail: expectation.detail };
  }
  if (need?.kind === 'needed') return { kind: 'maintain', detail: need.detail };
  if (expectation === undefined && need === undefined) {
    return { kind: 'maintain', detail: 'nothing tells whether it is compliant' };
  }
  const reasons = [
    ...(expectation === undefined ? [] : [expectation.detail]),
    ...(need === undefined ? [] : [need.detail]),
  ];
  return { kind: 'skip', detail: reasons.join(' and ') };
}

/**
 * After the patch, `expect: changed` found the output unchanged. Only a node the checks found
 * current before its drain (drained anyway: skipping was off, or it was bound for a saved
 * weight) may have had nothing to patch; then the checks asked now decide — none calls the
 * patch needed: it was already current and (healthy, proven) may return to service. A node
 * found needing the patch whose output did not change is unpatched, whatever the checks say
 * now: a machine that booted its old kernel (a boot-loader fallback) has no update left and no
 * reboot pending either.
 *
 * @param unchanged the verify verdict that found the output unchanged
 * @param before what the checks answered before the drain (undefined: they were not asked)
 * @param need what they answer now (asked only when `before` is current)
 */
export function judgeUnchanged(
  output: string,
  unchanged: { detail: string },
  before: NeedVerdict['kind'] | undefined,
  need: NeedVerdict | undefined,
): { ok: true; detail: string } | { ok: false; detail: string } {
  if (before !== 'current' || need === undefined) {
    const found =
      before === 'needed'
        ? 'the checks called the patch needed before its drain'
        : before === 'unknown'
          ? 'the checks could not tell before its drain whether it needed the patch'
          : 'the checks were not asked before its drain';
    return {
      ok: false,
      detail: `${unchanged.detail}; ${found}, so an unchanged output is not "already current" (it may have booted its old kernel)`,
    };
  }
  switch (need.kind) {
    case 'current':
      return {
        ok: true,
        detail: `unchanged: already current: still ${output}, and ${need.detail}; the patch had nothing to do`,
      };
    case 'needed':
      return { ok: false, detail: `${unchanged.detail}; ${need.detail}` };
    case 'unknown':
      return {
        ok: false,
        detail: `${unchanged.detail}; cannot tell whether it is current: ${need.detail}`,
      };
  }
}
