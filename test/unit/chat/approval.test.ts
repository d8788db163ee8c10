import { describe, expect, it } from 'vitest';
import {
  type ApprovalState,
  approve,
  beforeExecution,
  deny,
  expire,
  notStarted,
  requestApproval,
} from '#src/chat/approval.js';
import type { ChatPrincipal } from '#src/chat/authorize.js';

const alice: ChatPrincipal = { platform: 'slack', userId: 'U-ALICE' };
const bob: ChatPrincipal = { platform: 'slack', userId: 'U-BOB' };
const LIMIT = 30 * 60_000;
const T0 = 1_000_000;
const planA = { sha256: 'a'.repeat(64), runbookSummary: '3 nodes in 3 batches' };
const planB = { sha256: 'b'.repeat(64), runbookSummary: '2 nodes in 2 batches' };

function pending(): ApprovalState {
  return requestApproval({
    runId: 'r-1',
    workflow: 'web-night',
    requester: alice,
    channel: 'C-OPS',
    plan: planA,
    nowMs: T0,
    timeLimitMs: LIMIT,
  });
}

describe('the two-person approval', () => {
  it('a different person approves within the limit, and the same plan runs', () => {
    const approved = approve(pending(), bob, planA.sha256, T0 + LIMIT);
    expect(approved).toMatchObject({ ok: true, state: { status: 'approved', approver: bob } });
    const started = beforeExecution(approved.state, planA, T0 + LIMIT + 1, LIMIT);
    expect(started).toMatchObject({ ok: true, state: { status: 'executing', approver: bob } });
  });

  it('refuses approval by the requester, and the request stays pending', () => {
    const refused = approve(pending(), alice, planA.sha256, T0 + 1);
    expect(refused).toMatchObject({ ok: false, state: { status: 'pending' } });
    expect(!refused.ok && refused.refusal).toContain('another authorized person');
  });

  it('the same user id on another platform is another person (ids are per platform)', () => {
    expect(
      approve(pending(), { platform: 'feishu', userId: 'U-ALICE' }, planA.sha256, T0 + 1).ok,
    ).toBe(true);
  });

  it('refuses approval after the limit and records the expiry', () => {
    const late = approve(pending(), bob, planA.sha256, T0 + LIMIT + 1);
    expect(late).toMatchObject({
      ok: false,
      state: { status: 'expired', expiredAtMs: T0 + LIMIT + 1 },
    });
    expect(!late.ok && late.refusal).toContain('time limit passed');
  });

  it('deny ends the request; nothing approves or runs it afterwards', () => {
    const denied = deny(pending(), bob, T0 + 5);
    expect(denied).toMatchObject({ ok: true, state: { status: 'denied', deniedBy: bob } });
    expect(approve(denied.state, bob, planA.sha256, T0 + 6)).toMatchObject({
      ok: false,
      state: { status: 'denied' },
    });
    expect(beforeExecution(denied.state, planA, T0 + 7, LIMIT).ok).toBe(false);
  });

  it('a plan that changed before execution goes back to pending with the new plan and a new limit', () => {
    const approved = approve(pending(), bob, planA.sha256, T0 + 10).state;
    const replanned = beforeExecution(approved, planB, T0 + 20, LIMIT);
    expect(replanned).toMatchObject({
      ok: false,
      state: {
        status: 'pending',
        replanFrom: planA.sha256,
        request: {
          plan: planB,
          requestedAtMs: T0 + 20,
          expiresAtMs: T0 + 20 + LIMIT,
          requester: alice,
        },
      },
    });
    expect(!replanned.ok && replanned.refusal).toContain('aaaaaaaaaaaa is now bbbbbbbbbbbb');
    expect(approve(replanned.state, bob, planB.sha256, T0 + 30)).toMatchObject({
      ok: true,
      state: { status: 'approved' },
    });
  });

  it('refuses an approval of another plan than the request is for now, and it stays pending', () => {
    const replanned = beforeExecution(
      approve(pending(), bob, planA.sha256, T0 + 10).state,
      planB,
      T0 + 20,
      LIMIT,
    ).state;
    // The old request's button still says plan A: it must not approve plan B.
    const stale = approve(replanned, bob, planA.sha256, T0 + 30);
    expect(stale).toMatchObject({
      ok: false,
      state: { status: 'pending', request: { plan: planB } },
    });
    expect(!stale.ok && stale.refusal).toContain('approved plan aaaaaaaaaaaa');
    expect(approve(replanned, bob, planB.sha256.slice(0, 12), T0 + 31).ok).toBe(true);
    expect(approve(replanned, bob, planB.sha256.slice(0, 11), T0 + 31).ok).toBe(false);
  });

  it('a run that did not start puts the request back to pending with a fresh limit', () => {
    const approved = approve(pending(), bob, planA.sha256, T0 + 10).state;
    const executing = beforeExecution(approved, planA, T0 + 20, LIMIT).state;
    expect(notStarted(executing, T0 + 30, LIMIT)).toEqual({
      status: 'pending',
      request: { ...pending().request, requestedAtMs: T0 + 30, expiresAtMs: T0 + 30 + LIMIT },
    });
    expect(notStarted(approved, T0 + 30, LIMIT)).toBe(approved);
  });

  it('expire leaves a request inside its limit alone', () => {
    expect(expire(pending(), T0 + LIMIT).status).toBe('pending');
    expect(expire(pending(), T0 + LIMIT + 1).status).toBe('expired');
  });
});
