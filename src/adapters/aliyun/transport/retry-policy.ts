/**
 * Which cloud errors are worth another attempt, and how long to wait before it. Pure: no I/O,
 * no clock, randomness injected. The codes are Terraform's practice (docs/aliyun.md, "The retry
 * policy").
 *
 * Two kinds of retryable failure matter for idempotency:
 * - `rejected`: the service refused the request before acting on it (throttling, "busy",
 *   "conflict" codes). Resending is safe for every action, mutations included.
 * - `ambiguous`: the request may or may not have been applied (5xx, timeouts, dropped
 *   connections). Resending is safe only for reads and idempotent mutations; the adapters
 *   re-read and decide for the others.
 */

export type CloudProduct = 'slb' | 'alidns' | 'ecs';
export type FailureKind = 'rejected' | 'ambiguous' | 'fatal';

/** A failed attempt, as the retry policy sees it. */
export interface AttemptFailure {
  product: CloudProduct;
  action: string;
  /** The cloud's Code, or a transport code (ECONNRESET, ReadTimeout) when nothing answered. */
  code: string;
  /** undefined when no HTTP response arrived. */
  httpStatus: number | undefined;
}

/** SLB's "busy, try later" answers. Terraform retries them for minutes. */
const SLB_BUSY = new Set([
  'SystemBusy',
  'OperationBusy',
  'ServiceIsStopping',
  'ServiceIsConfiguring',
  'BackendServer.configuring',
  'VServerGroupProcessing',
  'OperationFailed.TokenIsProcessing',
]);

/** ECS answers while a previous change on the same instance settles. */
const ECS_CONFLICT = new Set([
  'OperationConflict',
  'IncorrectInstanceStatus',
  'InvalidOperation.Conflict',
  'LastTokenProcessing',
]);

/** Alidns answers while a previous change on the same domain settles. */
const ALIDNS_BUSY = new Set(['LastOperationNotFinished']);

/** Error codes of Node sockets and DNS lookups that mean "try again", not "you are wrong". */
const TRANSPORT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'ReadTimeout',
  'ConnectTimeout',
]);

/** The cloud refused a request for its rate limit (`Throttling`, `Throttling.User`, …). */
export function isThrottling(code: string): boolean {
  return code.includes('Throttling');
}

export function classifyFailure(failure: AttemptFailure): FailureKind {
  const { product, code, httpStatus } = failure;
  if (isThrottling(code)) return 'rejected';
  if (product === 'slb' && SLB_BUSY.has(code)) return 'rejected';
  if (product === 'ecs' && ECS_CONFLICT.has(code)) return 'rejected';
  if (product === 'alidns' && ALIDNS_BUSY.has(code)) return 'rejected';
  if (code === 'ServiceUnavailable') return 'ambiguous';
  if (httpStatus !== undefined) return httpStatus >= 500 ? 'ambiguous' : 'fatal';
  return TRANSPORT_CODES.has(code) ? 'ambiguous' : 'fatal';
}

/**
 * Whether to send the request again. Non-idempotent mutations are resent only when the service
 * refused them; an ambiguous failure goes back to the adapter, which re-reads and decides.
 */
export function shouldRetry(kind: FailureKind, idempotent: boolean): boolean {
  if (kind === 'rejected') return true;
  if (kind === 'ambiguous') return idempotent;
  return false;
}

/** Attempts and time one call may take; named per call site, overridable in tests. */
export interface RetryBudget {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** Wall time for the whole call, every attempt and wait included. */
  maxElapsedMs: number;
  /** Delay before the first retry; doubles each time. */
  baseDelayMs: number;
  /** No single wait is longer than this (except when the cloud asks for more). */
  maxDelayMs: number;
}

/** Reads and ordinary changes: 6 attempts within 60 s. */
export const DEFAULT_RETRY_BUDGET: RetryBudget = {
  maxAttempts: 6,
  maxElapsedMs: 60_000,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
};

/**
 * Changes SLB may answer "busy" for a while (listener start/stop, backend changes right after
 * a listener change). Terraform waits minutes; we wait up to 3.
 */
export const SLB_BUSY_RETRY_BUDGET: RetryBudget = {
  maxAttempts: 12,
  maxElapsedMs: 180_000,
  baseDelayMs: 1_000,
  maxDelayMs: 15_000,
};

/**
 * Exponential backoff with "equal jitter": half the exponential step is fixed, half random, so
 * callers that failed together do not retry together. A `retryAfterMs` from the cloud
 * (`x-acs-retry-after`) is a floor.
 *
 * @example backoffDelay(1, DEFAULT_RETRY_BUDGET, () => 0.5) // 375 (= 250 + 0.5 × 250)
 */
export function backoffDelay(
  retry: number,
  budget: RetryBudget,
  random: () => number,
  retryAfterMs?: number,
): number {
  const step = Math.min(budget.maxDelayMs, budget.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const jittered = Math.round(step / 2 + random() * (step / 2));
  return retryAfterMs !== undefined && retryAfterMs > jittered ? retryAfterMs : jittered;
}
