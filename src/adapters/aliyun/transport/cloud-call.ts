/**
 * The one retry policy every Alibaba Cloud call goes through (p-retry drives the loop; the
 * decisions are in retry-policy.ts). Every attempt first waits for its action's rate limiter
 * (rate-limits.ts). Retryable failures (Throttling included) are retried with backoff and jitter
 * within the call's budget, each retry logged with action, code and RequestId; everything else
 * fails at once as an AliyunApiError that keeps the cloud's Code, HTTP status and RequestId.
 */
import pRetry from 'p-retry';
import { DrainctlError } from '../../../errors/index.js';
import type { Logger } from '../../../log/index.js';
import type { Clock, CloudCallEvent, CloudRetryEvent } from '../../../ports/index.js';
import { type CallTarget, toCloudError } from './cloud-error.js';
import type { ActionRateLimiter } from './rate-limits.js';
import {
  backoffDelay,
  type CloudProduct,
  classifyFailure,
  DEFAULT_RETRY_BUDGET,
  isThrottling,
  type RetryBudget,
  shouldRetry,
} from './retry-policy.js';
import { readSdkFailure } from './sdk-error.js';

/** What every call of one product shares. */
export interface CloudCaller {
  readonly product: CloudProduct;
  /**
   * Run `send` under the retry policy.
   *
   * @example
   *   await caller.call({ action: 'SetBackendServers', idempotent: true, budget: SLB_BUSY_RETRY_BUDGET }, () => sdk.callApi(...))
   */
  call<T>(spec: CallSpec, send: () => Promise<T>): Promise<T>;
  /** Where calls go and which credentials they carry (for messages). */
  target(): CallTarget;
}

export interface CallSpec {
  action: string;
  /**
   * Safe to send twice: reads, and mutations that converge (set a weight, start a listener,
   * create with a ClientToken). Others are resent only when the cloud refused them outright.
   */
  idempotent: boolean;
  /** Named at the call site; DEFAULT_RETRY_BUDGET when absent. */
  budget?: RetryBudget;
  signal?: AbortSignal;
}

export interface RetryOptions {
  /** Replaces fields of every call site's budget (tests: tiny delays). */
  budgetOverride?: Partial<RetryBudget>;
  /** Jitter source, [0, 1). */
  random?: () => number;
  /**
   * Told of every retry and of every call that went through after retries, synchronously, in
   * the call's own async context (so a listener can tell which step made it). Never throws into
   * the call: a failing listener is logged.
   */
  onRetry?: (event: CloudRetryEvent) => void;
  /** Told of every request's answer (each attempt), like `onRetry`: never throws into the call. */
  onCall?: (event: CloudCallEvent) => void;
}

export interface CloudCallerOptions {
  product: CloudProduct;
  logger: Logger;
  clock: Clock;
  retry?: RetryOptions;
  target: () => CallTarget;
  /** The product's per-action limits; none: every call goes out at once. */
  limiter?: ActionRateLimiter;
}

export function createCloudCaller(options: CloudCallerOptions): CloudCaller {
  const { product, logger, clock, target } = options;
  const random = options.retry?.random ?? Math.random;
  const tell = (event: CloudRetryEvent) => {
    try {
      options.retry?.onRetry?.(event);
    } catch (error) {
      logger.warn(
        { err: error },
        `a retry listener failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
  const told = (action: string, code: string) => {
    try {
      options.retry?.onCall?.({ product, action, code, throttled: isThrottling(code) });
    } catch (error) {
      logger.warn(
        { err: error },
        `a call listener failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
  // Each attempt's answer: a success, or the failure's code (our own errors sent nothing).
  const observed =
    <T>(action: string, send: () => Promise<T>) =>
    async (): Promise<T> => {
      try {
        const result = await send();
        told(action, 'OK');
        return result;
      } catch (error) {
        if (!(error instanceof DrainctlError)) told(action, readSdkFailure(error).code);
        throw error;
      }
    };
  return {
    product,
    target,
    async call<T>(spec: CallSpec, send: () => Promise<T>): Promise<T> {
      const budget = { ...(spec.budget ?? DEFAULT_RETRY_BUDGET), ...options.retry?.budgetOverride };
      const started = clock.monotonic();
      let last: { code: string; attempts: number } | undefined;
      const send_ = options.retry?.onCall === undefined ? send : observed(spec.action, send);
      // Each attempt, a retry too, waits for its action's rate bucket before it is sent.
      const attempt = async () => {
        const answered = await options.limiter?.take(spec.action, spec.signal);
        try {
          return await send_();
        } finally {
          answered?.();
        }
      };
      const result = await pRetry(attempt, {
        // p-retry runs the loop and honours the signal; waits and budgets are ours, on the
        // injected clock, so p-retry's own delay is zero and its attempt limit never binds first.
        retries: Math.max(0, budget.maxAttempts - 1),
        minTimeout: 0,
        maxTimeout: 0,
        randomize: false,
        ...(spec.signal ? { signal: spec.signal } : {}),
        onFailedAttempt: async ({ error, attemptNumber }) => {
          // Our own errors (no credentials found, …) are final and already say what to do.
          if (error instanceof DrainctlError) throw error;
          const failure = readSdkFailure(error);
          const kind = classifyFailure({
            product,
            action: spec.action,
            code: failure.code,
            httpStatus: failure.httpStatus,
          });
          const call = {
            product,
            action: spec.action,
            target: target(),
            attempts: attemptNumber,
            kind,
          };
          if (!shouldRetry(kind, spec.idempotent)) throw toCloudError(failure, call);
          const elapsedMs = clock.monotonic() - started;
          const delayMs = backoffDelay(attemptNumber, budget, random, failure.retryAfterMs);
          if (attemptNumber >= budget.maxAttempts || elapsedMs + delayMs > budget.maxElapsedMs) {
            throw toCloudError(failure, call, { elapsedMs });
          }
          logger.warn(
            {
              product,
              action: spec.action,
              code: failure.code,
              httpStatus: failure.httpStatus,
              requestId: failure.requestId,
              attempt: attemptNumber,
              elapsedMs,
              delayMs,
            },
            `${product} ${spec.action} failed with ${failure.code} (attempt ${attemptNumber}, ${(elapsedMs / 1000).toFixed(1)} s so far); retrying in ${delayMs} ms`,
          );
          last = { code: failure.code, attempts: attemptNumber };
          tell({
            kind: 'retrying',
            product,
            action: spec.action,
            code: failure.code,
            attempts: attemptNumber,
            elapsedMs,
            delayMs,
          });
          await clock.sleep(delayMs, spec.signal);
        },
      });
      if (last !== undefined) {
        tell({
          kind: 'recovered',
          product,
          action: spec.action,
          code: last.code,
          attempts: last.attempts + 1,
          elapsedMs: clock.monotonic() - started,
        });
      }
      return result;
    },
  };
}
