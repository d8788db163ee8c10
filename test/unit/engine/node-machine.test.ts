import { describe, expect, it } from 'vitest';
import { dispositionFor, haltsRollout, rollsBackPatch } from '#src/engine/policy/failure-policy.js';
import {
  absorbsMove,
  canTransition,
  IllegalTransitionError,
  NODE_STATES,
  type NodeState,
  outOfService,
  transition,
} from '#src/engine/policy/node-machine.js';

describe('node state machine', () => {
  it.each([
    ['pending', 'draining'],
    ['draining', 'drained'],
    ['drained', 'patching'],
    ['patching', 'rebooting'],
    ['rebooting', 'verifying'],
    ['verifying', 'restoring'],
    ['restoring', 'done'],
    // a canary bakes once back, then is done or (its bake failed) rolled back or left out
    ['restoring', 'baking'],
    ['baking', 'done'],
    ['baking', 'rolling-back'],
    ['baking', 'left-out'],
    // phases a plan leaves out are skipped forward
    ['pending', 'restoring'],
    ['patching', 'verifying'],
    ['draining', 'patching'],
    // failure ends
    ['draining', 'rolled-back'],
    ['drained', 'rolled-back'],
    ['rebooting', 'left-out'],
    ['restoring', 'left-out'],
    // a patch that proved bad is rolled back from wherever it showed, and ends either way
    ['verifying', 'rolling-back'],
    ['restoring', 'rolling-back'],
    ['rebooting', 'rolling-back'],
    ['rolling-back', 'rolled-back'],
    ['rolling-back', 'left-out'],
  ] as Array<[NodeState, NodeState]>)('%s → %s is legal', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(transition('i-1', from, to, 42)).toEqual({ state: to, at: 42 });
  });

  it.each([
    ['draining', 'pending'],
    ['rebooting', 'patching'],
    ['done', 'draining'],
    ['left-out', 'restoring'],
    ['rolled-back', 'draining'],
    // a node whose host was changed can never be "rolled back" as if untouched
    ['patching', 'rolled-back'],
    ['rebooting', 'rolled-back'],
    ['verifying', 'rolled-back'],
    // a node that never left service is not "left out"
    ['pending', 'left-out'],
    // only a host we changed has a patch to roll back
    ['drained', 'rolling-back'],
    ['pending', 'rolling-back'],
    ['rolling-back', 'done'],
    // a baking canary's host is changed: it is never "rolled back" as if untouched
    ['baking', 'rolled-back'],
    ['baking', 'restoring'],
  ] as Array<[NodeState, NodeState]>)('%s → %s is illegal', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    expect(() => transition('i-1', from, to, 0)).toThrow(IllegalTransitionError);
  });

  it('terminal states accept no move at all', () => {
    for (const from of ['done', 'rolled-back', 'left-out'] as const) {
      for (const to of NODE_STATES) expect(canTransition(from, to)).toBe(false);
    }
  });

  it('counts every state between leaving service and coming back as out of service (a baking canary is back)', () => {
    expect(NODE_STATES.filter(outOfService)).toEqual([
      'draining',
      'drained',
      'patching',
      'rebooting',
      'verifying',
      'restoring',
      'rolling-back',
      'left-out',
    ]);
  });

  it("a rolling-back node absorbs its rollback steps' moves along the path, never its end", () => {
    for (const to of ['rebooting', 'verifying', 'restoring'] as const) {
      expect(absorbsMove('rolling-back', to)).toBe(true);
      expect(absorbsMove('patching', to)).toBe(false);
    }
    expect(absorbsMove('rolling-back', 'done')).toBe(false);
    expect(absorbsMove('rolling-back', 'left-out')).toBe(false);
  });

  it('rolls a patch back on a failed health check, verify or ramp, nothing else', () => {
    expect(['unhealthy', 'unpatched', 'bad-ramp'].every((o) => rollsBackPatch(o as never))).toBe(
      true,
    );
    for (const outcome of [
      'no-boot',
      'patch-failed',
      'drift',
      'aborted',
      'traffic-at-reboot',
    ] as const) {
      expect(rollsBackPatch(outcome)).toBe(false);
    }
  });
});

describe('failure policy', () => {
  it.each([
    // before the node left service: nothing to undo
    ['pending', 'gate-blocked', { kind: 'untouched' }],
    ['pending', 'drift', { kind: 'untouched' }],
    // host untouched: straight back to the recorded weight
    ['draining', 'drain-timeout', { kind: 'roll-back' }],
    ['draining', 'aborted', { kind: 'roll-back' }],
    ['drained', 'hook-failed', { kind: 'roll-back' }],
    ['drained', 'error', { kind: 'roll-back' }],
    // traffic before a reboot that had no patch before it: the host is as it was found
    ['drained', 'traffic-at-reboot', { kind: 'roll-back' }],
    // someone else put it back (or moved it) before the patch: theirs now, host left alone
    ['drained', 'drift', { kind: 'leave-out', reason: 'drift', pullToZero: false }],
    ['patching', 'drift', { kind: 'leave-out', reason: 'drift', pullToZero: false }],
    // host changed: out until proven
    ['patching', 'patch-failed', { kind: 'leave-out', reason: 'unpatched', pullToZero: false }],
    // patched, and clients kept arriving: never rebooted into them, never back unproven
    [
      'patching',
      'traffic-at-reboot',
      { kind: 'leave-out', reason: 'not-rebooted', pullToZero: false },
    ],
    ['rebooting', 'no-boot', { kind: 'leave-out', reason: 'unreachable', pullToZero: false }],
    ['verifying', 'unhealthy', { kind: 'leave-out', reason: 'unhealthy', pullToZero: false }],
    ['verifying', 'unpatched', { kind: 'leave-out', reason: 'unpatched', pullToZero: false }],
    ['restoring', 'bad-ramp', { kind: 'leave-out', reason: 'unhealthy', pullToZero: true }],
    // too few requests to judge its ramp: not left serving unwatched once the run halts
    ['restoring', 'unproven-ramp', { kind: 'leave-out', reason: 'unproven', pullToZero: true }],
    ['restoring', 'drift', { kind: 'leave-out', reason: 'drift', pullToZero: false }],
    ['restoring', 'error', { kind: 'leave-out', reason: 'error', pullToZero: true }],
  ] as const)('%s + %s → %o', (state, outcome, expected) => {
    expect(dispositionFor(state, outcome, false)).toEqual(expected);
  });

  it('a node already back at its weight keeps serving when an after-hook fails', () => {
    expect(dispositionFor('restoring', 'hook-failed', true)).toEqual({ kind: 'keep-serving' });
  });

  it('safety stops always halt; a failed node halts only with stopOnFailure', () => {
    for (const outcome of [
      'gate-blocked',
      'drift',
      'aborted',
      'error',
      'drain-timeout',
      'traffic-at-reboot',
      // the next node would meet the same quiet traffic
      'unproven-ramp',
    ] as const) {
      expect(haltsRollout(outcome, false)).toBe(true);
    }
    for (const outcome of [
      'patch-failed',
      'no-boot',
      'unhealthy',
      'unpatched',
      'bad-ramp',
    ] as const) {
      expect(haltsRollout(outcome, true)).toBe(true);
      expect(haltsRollout(outcome, false)).toBe(false);
    }
  });
});
