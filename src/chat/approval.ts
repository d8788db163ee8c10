/**
 * The two-person rule as a pure state machine. A request carries the plan's sha256 and runbook
 * summary and who asked from where; a different person, authorized to approve (authorize() is
 * asked first), approves it within the time limit; or it is denied, or it expires. Just before
 * the run starts the plan is made again: the same sha256 runs exactly that plan, a different one
 * puts the request back to pending with the new plan, to be approved again.
 */
import type { ChatPrincipal } from './authorize.js';

export interface PlanSnapshot {
  sha256: string;
  /** The runbook's summary lines, shown with the request. */
  runbookSummary: string;
}

export interface ApprovalRequest {
  /** The run id the request will run under. */
  runId: string;
  workflow: string;
  requester: ChatPrincipal;
  /** Where it was asked: the audit trail names platform and channel. */
  channel: string;
  plan: PlanSnapshot;
  requestedAtMs: number;
  expiresAtMs: number;
}

export type ApprovalState =
  | {
      status: 'pending';
      request: ApprovalRequest /** The plan an earlier approval was for. */;
      replanFrom?: string;
    }
  | { status: 'approved'; request: ApprovalRequest; approver: ChatPrincipal; approvedAtMs: number }
  | { status: 'denied'; request: ApprovalRequest; deniedBy: ChatPrincipal; deniedAtMs: number }
  | { status: 'expired'; request: ApprovalRequest; expiredAtMs: number }
  | {
      status: 'executing';
      request: ApprovalRequest;
      approver: ChatPrincipal;
      approvedAtMs: number;
      startedAtMs: number;
    };

export type Transition =
  | { ok: true; state: ApprovalState }
  /** Refused: `state` is what the request is now (an expiry is recorded), `refusal` says why. */
  | { ok: false; state: ApprovalState; refusal: string };

export function requestApproval(input: {
  runId: string;
  workflow: string;
  requester: ChatPrincipal;
  channel: string;
  plan: PlanSnapshot;
  nowMs: number;
  timeLimitMs: number;
}): ApprovalState {
  const { nowMs, timeLimitMs, ...rest } = input;
  return {
    status: 'pending',
    request: { ...rest, requestedAtMs: nowMs, expiresAtMs: nowMs + timeLimitMs },
  };
}

/** Whether two principals are the same person: the same user id on the same platform. */
export function samePerson(a: ChatPrincipal, b: ChatPrincipal): boolean {
  return a.platform === b.platform && a.userId === b.userId;
}

/**
 * `planSha256` is the plan the approver was shown (the sha256 in the approve command, whole or a
 * prefix of at least 12 hex digits): a request re-made with another plan since is not approved
 * by a click on the old request's button.
 */
export function approve(
  state: ApprovalState,
  approver: ChatPrincipal,
  planSha256: string,
  nowMs: number,
): Transition {
  const pending = stillPending(state, nowMs);
  if (!pending.ok) return pending;
  if (!samePlan(state.request.plan.sha256, planSha256)) {
    return {
      ok: false,
      state,
      refusal: `${state.request.runId}: you approved plan ${short(planSha256)}, but the request is now for plan ${short(state.request.plan.sha256)}; read it and approve that plan`,
    };
  }
  if (samePerson(approver, state.request.requester)) {
    return {
      ok: false,
      state,
      refusal: `${state.request.runId}: you asked for this run, so another authorized person must approve it`,
    };
  }
  return {
    ok: true,
    state: { status: 'approved', request: state.request, approver, approvedAtMs: nowMs },
  };
}

export function deny(state: ApprovalState, by: ChatPrincipal, nowMs: number): Transition {
  const pending = stillPending(state, nowMs);
  if (!pending.ok) return pending;
  return {
    ok: true,
    state: { status: 'denied', request: state.request, deniedBy: by, deniedAtMs: nowMs },
  };
}

/** Records the expiry of a pending request whose time limit has passed; otherwise unchanged. */
export function expire(state: ApprovalState, nowMs: number): ApprovalState {
  if (state.status === 'pending' && nowMs > state.request.expiresAtMs) {
    return { status: 'expired', request: state.request, expiredAtMs: nowMs };
  }
  return state;
}

/**
 * Just before the run: `plan` is the plan made again now. The same sha256 starts the run with
 * exactly the approved plan; a different one returns the request to pending (a fresh time limit,
 * the new plan) so it is approved again, and the run does not start.
 */
export function beforeExecution(
  state: ApprovalState,
  plan: PlanSnapshot,
  nowMs: number,
  timeLimitMs: number,
): Transition {
  if (state.status !== 'approved') {
    return { ok: false, state, refusal: `${state.request.runId} is ${state.status}, not approved` };
  }
  if (plan.sha256 === state.request.plan.sha256) {
    return {
      ok: true,
      state: {
        status: 'executing',
        request: state.request,
        approver: state.approver,
        approvedAtMs: state.approvedAtMs,
        startedAtMs: nowMs,
      },
    };
  }
  return {
    ok: false,
    state: {
      status: 'pending',
      request: { ...state.request, plan, requestedAtMs: nowMs, expiresAtMs: nowMs + timeLimitMs },
      replanFrom: state.request.plan.sha256,
    },
    refusal: `${state.request.runId}: the world changed since the approval (plan ${short(state.request.plan.sha256)} is now ${short(plan.sha256)}); approve the new plan`,
  };
}

/**
 * The run of an executing request did not start (another run holds the balancer, serve is
 * closing): the request waits for approval again, with a fresh time limit, instead of staying
 * `executing` with nothing running. Approving it again makes the plan again first.
 */
export function notStarted(
  state: ApprovalState,
  nowMs: number,
  timeLimitMs: number,
): ApprovalState {
  if (state.status !== 'executing') return state;
  return {
    status: 'pending',
    request: { ...state.request, requestedAtMs: nowMs, expiresAtMs: nowMs + timeLimitMs },
  };
}

function stillPending(
  state: ApprovalState,
  nowMs: number,
): { ok: true } | { ok: false; state: ApprovalState; refusal: string } {
  const current = expire(state, nowMs);
  if (current.status === 'pending') return { ok: true };
  return { ok: false, state: current, refusal: decidedAlready(current) };
}

/** Why a request no longer waits: who decided it, so the one who came second knows. */
function decidedAlready(state: ApprovalState): string {
  const { runId, workflow } = state.request;
  const who = (principal: ChatPrincipal) => `${principal.platform}:${principal.userId}`;
  switch (state.status) {
    case 'expired':
      return `${runId}: the approval time limit passed; ask again with \`run ${workflow}\``;
    case 'approved':
    case 'executing':
      return `${runId} was already approved by ${who(state.approver)}; no longer waiting for approval`;
    case 'denied':
      return `${runId} was denied by ${who(state.deniedBy)}; no longer waiting for approval`;
    case 'pending':
      return `${runId} is pending`;
  }
}

/** A prefix shorter than 12 hex digits names no plan: too easy to match by chance. */
export const MIN_PLAN_SHA256_PREFIX = 12;

function samePlan(sha256: string, given: string): boolean {
  const prefix = given.toLowerCase();
  return prefix.length >= MIN_PLAN_SHA256_PREFIX && sha256.toLowerCase().startsWith(prefix);
}

function short(sha256: string): string {
  return sha256.slice(0, 12);
}
