/**
 * The judgements behind skipping an already-compliant node and behind an unchanged
 * `expect: changed`: the `neededWhen` answers (0 current, the check's code needed, anything
 * else cannot tell), how they combine with the verify expectation before a drain, and what an
 * unchanged output means after the patch.
 */
import { describe, expect, it } from 'vitest';
import {
  type CheckAnswer,
  decideCompliance,
  judgeNeed,
  judgeUnchanged,
  type NeedVerdict,
} from '#src/engine/policy/compliance-verdict.js';
import type { CommandResult } from '#src/ports/index.js';

const YUM = { command: 'yum -q check-update kernel', exitCode: 100, timeoutSeconds: 60 };
const RESTART = { command: 'needs-restarting -r', exitCode: 1, timeoutSeconds: 60 };

const exited = (code: number, output = ''): CommandResult => ({
  status: code === 0 ? 'success' : 'failed',
  exitCode: code,
  output,
});

function answers(...pairs: Array<[typeof YUM, CommandResult]>): CheckAnswer[] {
  return pairs.map(([check, result]) => ({ check, result }));
}

describe('judgeNeed', () => {
  it.each([
    ['every check exits 0', answers([YUM, exited(0)], [RESTART, exited(0)]), 'current'],
    ['one exits with its code', answers([YUM, exited(0)], [RESTART, exited(1)]), 'needed'],
    ['both exit with theirs', answers([YUM, exited(100)], [RESTART, exited(1)]), 'needed'],
    // Another check's code is not this one's: exit 1 from yum is an error, not "needed".
    [
      'yum exits 1 (an error)',
      answers([YUM, exited(1, 'Error: Cannot find a valid baseurl\n')]),
      'unknown',
    ],
    [
      'a needed answer and a broken one',
      answers([YUM, exited(100)], [RESTART, exited(127)]),
      'unknown',
    ],
    [
      'a timeout',
      answers([YUM, { status: 'timeout', exitCode: null, output: '', errorInfo: 'timed out' }]),
      'unknown',
    ],
    [
      'an error before it ran',
      answers([
        YUM,
        { status: 'error', exitCode: null, output: '', errorInfo: 'ClientNotRunning' },
      ]),
      'unknown',
    ],
    [
      'a cancelled check',
      answers([YUM, { status: 'cancelled', exitCode: null, output: '' }]),
      'unknown',
    ],
    ['no check at all', [], 'unknown'],
  ] as const)('%s → %s', (_name, given, kind) => {
    expect(judgeNeed(given).kind).toBe(kind);
  });

  it('names what each check said', () => {
    expect(judgeNeed(answers([YUM, exited(0)], [RESTART, exited(0)])).detail).toBe(
      'no check says the patch is needed (`yum -q check-update kernel` exited 0, `needs-restarting -r` exited 0)',
    );
    expect(judgeNeed(answers([YUM, exited(0)], [RESTART, exited(1)])).detail).toBe(
      '`needs-restarting -r` exited 1: the patch is needed',
    );
    expect(
      judgeNeed(answers([YUM, exited(1, 'Loaded plugins\nError: Cannot find a valid baseurl\n')]))
        .detail,
    ).toBe(
      '`yum -q check-update kernel` answered failed, exit 1: Error: Cannot find a valid baseurl, expected exit 0 (current) or 100 (needs the patch)',
    );
  });
});

const CURRENT: NeedVerdict = { kind: 'current', detail: 'no check says the patch is needed (…)' };
const NEEDED: NeedVerdict = {
  kind: 'needed',
  detail: '`needs-restarting -r` exited 1: the patch is needed',
};
const UNKNOWN: NeedVerdict = { kind: 'unknown', detail: '`needs-restarting -r` answered …' };
const MET = { ok: true, detail: '`uname -r` equals 3.10.0-1160.119.1.el7.x86_64' };
const NOT_MET = {
  ok: false,
  detail: '`uname -r` expected 3.10.0-1160.119.1.el7.x86_64, found 3.10.0-1160.el7.x86_64',
};

describe('decideCompliance (before a drain)', () => {
  it.each([
    ['expectation met, no checks', MET, undefined, 'skip'],
    ['expectation not met, no checks', NOT_MET, undefined, 'maintain'],
    ['checks only: current', undefined, CURRENT, 'skip'],
    ['checks only: needed', undefined, NEEDED, 'maintain'],
    ['checks only: cannot tell', undefined, UNKNOWN, 'cannot-tell'],
    ['both agree it is compliant', MET, CURRENT, 'skip'],
    ['expectation met, a check says needed', MET, NEEDED, 'maintain'],
    ['expectation not met, checks say current', NOT_MET, CURRENT, 'maintain'],
    // A check that cannot answer fails closed, even when the rest would maintain or skip.
    ['expectation met, a check cannot tell', MET, UNKNOWN, 'cannot-tell'],
    ['expectation not met, a check cannot tell', NOT_MET, UNKNOWN, 'cannot-tell'],
    ['nothing to tell by', undefined, undefined, 'maintain'],
  ] as const)('%s → %s', (_name, expectation, need, kind) => {
    expect(decideCompliance(expectation, need).kind).toBe(kind);
  });

  it('a skip names every reason', () => {
    expect(decideCompliance(MET, CURRENT)).toEqual({
      kind: 'skip',
      detail: `${MET.detail} and ${CURRENT.detail}`,
    });
  });
});

describe('judgeUnchanged (after the patch, expect: changed found the output unchanged)', () => {
  const unchanged = {
    detail: 'unchanged: still 3.10.0-1160.119.1.el7.x86_64 (the patch did not take effect)',
  };

  it('found current before the drain, nothing needed now: the patch had nothing to do, the node may go back', () => {
    expect(judgeUnchanged('3.10.0-1160.119.1.el7.x86_64', unchanged, 'current', CURRENT)).toEqual({
      ok: true,
      detail: `unchanged: already current: still 3.10.0-1160.119.1.el7.x86_64, and ${CURRENT.detail}; the patch had nothing to do`,
    });
  });

  it('found current, but still needed or cannot tell now: unpatched', () => {
    expect(judgeUnchanged('x', unchanged, 'current', NEEDED)).toEqual({
      ok: false,
      detail: `${unchanged.detail}; ${NEEDED.detail}`,
    });
    expect(judgeUnchanged('x', unchanged, 'current', UNKNOWN)).toEqual({
      ok: false,
      detail: `${unchanged.detail}; cannot tell whether it is current: ${UNKNOWN.detail}`,
    });
  });

  it('found needing the patch (or not known) before its drain: unpatched, whatever the checks say now', () => {
    // A boot-loader fallback: the new kernel is installed (no update left) and the machine just
    // rebooted (no reboot pending), yet it runs the old kernel.
    expect(judgeUnchanged('x', unchanged, 'needed', undefined)).toEqual({
      ok: false,
      detail: `${unchanged.detail}; the checks called the patch needed before its drain, so an unchanged output is not "already current" (it may have booted its old kernel)`,
    });
    for (const before of ['unknown', undefined] as const) {
      expect(judgeUnchanged('x', unchanged, before, CURRENT).ok).toBe(false);
    }
  });
});
