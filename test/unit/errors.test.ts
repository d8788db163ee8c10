import { describe, expect, it } from 'vitest';
import {
  CloudApiError,
  DrainctlError,
  ExitCode,
  formatErrorLine,
  InvalidInputError,
  toDrainctlError,
} from '#src/errors/index.js';

describe('error model', () => {
  it('invalid input exits 3 and names file and path', () => {
    const error = new InvalidInputError(
      'wf.yaml: rollout.maxUnavailable: expected a positive integer, found "two"',
      {
        file: 'wf.yaml',
        path: 'rollout.maxUnavailable',
        expected: 'a positive integer',
        found: '"two"',
      },
    );
    expect(error.exitCode).toBe(ExitCode.invalidInput);
    expect(error.code).toBe('INVALID_INPUT');
    expect(formatErrorLine(error)).toBe(
      'drainctl: INVALID_INPUT: wf.yaml: rollout.maxUnavailable: expected a positive integer, found "two"',
    );
  });

  it('cloud errors keep the provider code, status and request id in the one line', () => {
    const error = new CloudApiError({
      provider: 'slb',
      action: 'DescribeLoadBalancerAttribute',
      cloudCode: 'InvalidLoadBalancerId.NotFound',
      message: 'The specified LoadBalancerId does not exist.',
      httpStatus: 404,
      requestId: '5B5C1F0A-0000-4000-8000-000000000001',
      retryable: false,
    });
    const line = formatErrorLine(error);
    expect(line).toContain('InvalidLoadBalancerId.NotFound');
    expect(line).toContain('HTTP 404');
    expect(line).toContain('5B5C1F0A-0000-4000-8000-000000000001');
    expect(error.retryable).toBe(false);
  });

  it('wraps foreign errors without losing them', () => {
    const cause = new TypeError('boom');
    const wrapped = toDrainctlError(cause);
    expect(wrapped).toBeInstanceOf(DrainctlError);
    expect(wrapped.cause).toBe(cause);
    expect(wrapped.exitCode).toBe(ExitCode.error);
    const hinted = new DrainctlError('LOCK_HELD', 'lb-1 is held by run r-1', {
      hint: 'drainctl status r-1',
      exitCode: ExitCode.halted,
    });
    expect(formatErrorLine(hinted)).toBe(
      'drainctl: LOCK_HELD: lb-1 is held by run r-1 (hint: drainctl status r-1)',
    );
  });
});
