import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  classifyFailure,
  DEFAULT_RETRY_BUDGET,
  shouldRetry,
} from '#src/adapters/aliyun/transport/retry-policy.js';

describe('classifyFailure', () => {
  it.each([
    ['slb', 'Throttling.User', 400, 'rejected'],
    ['ecs', 'Throttling.ConcurrentLimitExceeded', 400, 'rejected'],
    ['alidns', 'Throttling', 400, 'rejected'],
    ['slb', 'ServiceIsConfiguring', 400, 'rejected'],
    ['slb', 'OperationFailed.TokenIsProcessing', 400, 'rejected'],
    ['slb', 'VServerGroupProcessing', 400, 'rejected'],
    ['ecs', 'IncorrectInstanceStatus', 403, 'rejected'],
    ['ecs', 'LastTokenProcessing', 400, 'rejected'],
    ['alidns', 'LastOperationNotFinished', 400, 'rejected'],
    ['slb', 'ServiceUnavailable', 503, 'ambiguous'],
    ['slb', 'InternalError', 500, 'ambiguous'],
    ['ecs', 'SomethingNew', 502, 'ambiguous'],
    ['slb', 'InvalidLoadBalancerId.NotFound', 404, 'fatal'],
    ['slb', 'SignatureDoesNotMatch', 400, 'fatal'],
    ['alidns', 'DomainRecordDuplicate', 400, 'fatal'],
    // A busy code of another product is not busy here.
    ['alidns', 'IncorrectInstanceStatus', 403, 'fatal'],
    ['ecs', 'ServiceIsConfiguring', 400, 'fatal'],
  ] as const)('%s %s (HTTP %s) is %s', (product, code, httpStatus, kind) => {
    expect(classifyFailure({ product, action: 'X', code, httpStatus })).toBe(kind);
  });

  it.each([
    ['ECONNRESET', 'ambiguous'],
    ['ECONNREFUSED', 'ambiguous'],
    ['ReadTimeout', 'ambiguous'],
    ['ConnectTimeout', 'ambiguous'],
    ['ENOTFOUND', 'fatal'],
    ['TransportError', 'fatal'],
  ] as const)('transport %s is %s', (code, kind) => {
    expect(classifyFailure({ product: 'slb', action: 'X', code, httpStatus: undefined })).toBe(
      kind,
    );
  });
});

describe('shouldRetry', () => {
  it('resends refused requests always, ambiguous ones only when idempotent, never fatal ones', () => {
    expect(shouldRetry('rejected', false)).toBe(true);
    expect(shouldRetry('ambiguous', true)).toBe(true);
    expect(shouldRetry('ambiguous', false)).toBe(false);
    expect(shouldRetry('fatal', true)).toBe(false);
  });
});

describe('backoffDelay', () => {
  const budget = { ...DEFAULT_RETRY_BUDGET, baseDelayMs: 100, maxDelayMs: 1_000 };

  it('doubles per retry with half of each step random', () => {
    expect(backoffDelay(1, budget, () => 0)).toBe(50);
    expect(backoffDelay(1, budget, () => 0.999)).toBe(100);
    expect(backoffDelay(2, budget, () => 0)).toBe(100);
    expect(backoffDelay(3, budget, () => 0)).toBe(200);
  });

  it('never exceeds maxDelayMs on its own', () => {
    for (let retry = 1; retry < 40; retry++) {
      expect(backoffDelay(retry, budget, () => 0.999)).toBeLessThanOrEqual(1_000);
    }
  });

  it('waits at least what the cloud asked for (x-acs-retry-after)', () => {
    expect(backoffDelay(1, budget, () => 0, 1_500)).toBe(1_500);
    expect(backoffDelay(3, budget, () => 0.999, 10)).toBe(400);
  });
});
