import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCloudCaller } from '#src/adapters/aliyun/transport/cloud-call.js';
import { AliyunApiError } from '#src/adapters/aliyun/transport/cloud-error.js';
import { DrainctlError } from '#src/errors/index.js';
import { createLogger } from '#src/log/index.js';
import type { CloudRetryEvent } from '#src/ports/index.js';
import { ManualClock } from '#support/manual-clock.js';
import { settleOnClock } from '#support/waits.js';

function cloudError(code: string, status: number, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`${code}: code: ${status}, boom request id: RID-${code}`), {
    code,
    statusCode: status,
    data: { Code: code, Message: 'boom', RequestId: `RID-${code}`, statusCode: status },
    ...extra,
  });
}

function setup(
  budget = { maxAttempts: 4, maxElapsedMs: 10_000, baseDelayMs: 100, maxDelayMs: 1_000 },
  onRetry?: (event: CloudRetryEvent) => void,
) {
  const clock = new ManualClock();
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'debug',
    pretty: false,
    destination: new Writable({
      write(chunk, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line));
        done();
      },
    }),
  });
  const caller = createCloudCaller({
    product: 'slb',
    logger,
    clock,
    retry: { budgetOverride: budget, random: () => 0, ...(onRetry ? { onRetry } : {}) },
    target: () => ({
      region: 'cn-hangzhou',
      endpoint: '127.0.0.1:1',
      endpointOverridden: true,
      credentialSource: 'explicit',
    }),
  });
  return { clock, caller, lines };
}

describe('the retry policy of cloud calls', () => {
  it('retries throttling with growing delays, logs each retry, then succeeds', async () => {
    const { clock, caller, lines } = setup();
    let attempts = 0;
    const sleptAt: number[] = [];
    const result = await settleOnClock(
      clock,
      caller.call({ action: 'SetBackendServers', idempotent: true }, async () => {
        sleptAt.push(clock.monotonic());
        attempts++;
        if (attempts <= 3) throw cloudError('Throttling.User', 400);
        return 'ok';
      }),
    );
    expect(result).toBe('ok');
    expect(attempts).toBe(4);
    // random() = 0: delays are half of 100, 200, 400 ms.
    const [t0 = 0, t1 = 0, t2 = 0, t3 = 0] = sleptAt;
    expect(t1 - t0).toBeGreaterThanOrEqual(50);
    expect(t3 - t2).toBeGreaterThanOrEqual(200);
    const retries = lines.filter((l) => l.action === 'SetBackendServers');
    expect(retries).toHaveLength(3);
    expect(retries[0]).toMatchObject({
      level: 'warn',
      code: 'Throttling.User',
      requestId: 'RID-Throttling.User',
      attempt: 1,
      delayMs: 50,
    });
  });

  it('tells its retry listener of each retry and of the success after them, in the call', async () => {
    const events: CloudRetryEvent[] = [];
    const { clock, caller } = setup(undefined, (event) => events.push(event));
    let attempts = 0;
    await settleOnClock(
      clock,
      caller.call({ action: 'SetBackendServers', idempotent: true }, async () => {
        attempts++;
        if (attempts <= 3) throw cloudError('Throttling.User', 400);
        return 'ok';
      }),
    );
    expect(events.map((e) => [e.kind, e.attempts, e.code])).toEqual([
      ['retrying', 1, 'Throttling.User'],
      ['retrying', 2, 'Throttling.User'],
      ['retrying', 3, 'Throttling.User'],
      ['recovered', 4, 'Throttling.User'],
    ]);
    expect(events[0]).toMatchObject({ product: 'slb', action: 'SetBackendServers', delayMs: 50 });
    const elapsed = events.map((e) => e.elapsedMs);
    expect(elapsed).toEqual([...elapsed].sort((a, b) => a - b));
    expect(elapsed.at(-1)).toBeGreaterThanOrEqual(350);

    // A call that succeeds at once is no news; a listener that throws does not break the call.
    events.length = 0;
    expect(await caller.call({ action: 'DescribeTags', idempotent: true }, async () => 1)).toBe(1);
    expect(events).toEqual([]);
    const broken = setup(undefined, () => {
      throw new Error('listener bug');
    });
    let tries = 0;
    const result = await settleOnClock(
      broken.clock,
      broken.caller.call({ action: 'SetBackendServers', idempotent: true }, async () => {
        tries++;
        if (tries === 1) throw cloudError('Throttling.User', 400);
        return 'ok';
      }),
    );
    expect(result).toBe('ok');
    expect(broken.lines.some((l) => String(l.msg).includes('listener bug'))).toBe(true);
  });

  it('fails at once on a non-retryable code, keeping Code, status and RequestId', async () => {
    const { clock, caller } = setup();
    let attempts = 0;
    const error = await settleOnClock(
      clock,
      caller.call({ action: 'DescribeLoadBalancerAttribute', idempotent: true }, async () => {
        attempts++;
        throw cloudError('InvalidLoadBalancerId.NotFound', 404);
      }),
    ).catch((e: unknown) => e);
    expect(attempts).toBe(1);
    expect(error).toBeInstanceOf(AliyunApiError);
    expect(error).toMatchObject({
      code: 'CLOUD_API_ERROR',
      cloudCode: 'InvalidLoadBalancerId.NotFound',
      httpStatus: 404,
      requestId: 'RID-InvalidLoadBalancerId.NotFound',
      retryable: false,
    });
  });

  it('gives up after maxAttempts with CLOUD_RETRIES_EXHAUSTED', async () => {
    const { clock, caller } = setup();
    let attempts = 0;
    const error = (await settleOnClock(
      clock,
      caller.call({ action: 'SetBackendServers', idempotent: true }, async () => {
        attempts++;
        throw cloudError('ServiceUnavailable', 503);
      }),
    ).catch((e: unknown) => e)) as AliyunApiError;
    expect(attempts).toBe(4);
    expect(error.code).toBe('CLOUD_RETRIES_EXHAUSTED');
    expect(error.message).toMatch(/still failing after 4 attempts/);
    expect(error.retryable).toBe(true);
  });

  it('gives up when the next wait would overrun the time budget', async () => {
    const { clock, caller } = setup({
      maxAttempts: 100,
      maxElapsedMs: 1_000,
      baseDelayMs: 300,
      maxDelayMs: 300,
    });
    let attempts = 0;
    const error = (await settleOnClock(
      clock,
      caller.call({ action: 'X', idempotent: true }, async () => {
        attempts++;
        throw cloudError('Throttling', 400);
      }),
    ).catch((e: unknown) => e)) as AliyunApiError;
    expect(error.code).toBe('CLOUD_RETRIES_EXHAUSTED');
    expect(attempts).toBeLessThan(10);
    expect(clock.monotonic()).toBeLessThanOrEqual(1_100);
  });

  it('honours the wait the cloud asks for', async () => {
    const { clock, caller } = setup();
    const times: number[] = [];
    await settleOnClock(
      clock,
      caller.call({ action: 'X', idempotent: true }, async () => {
        times.push(clock.monotonic());
        if (times.length === 1) throw cloudError('Throttling', 400, { retryAfter: 700 });
        return 1;
      }),
    );
    const [first = 0, second = 0] = times;
    expect(second - first).toBeGreaterThanOrEqual(700);
  });

  it('does not resend a non-idempotent mutation after an ambiguous failure', async () => {
    const { clock, caller } = setup();
    let attempts = 0;
    const error = await settleOnClock(
      clock,
      caller.call({ action: 'AddBackendServers', idempotent: false }, async () => {
        attempts++;
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }),
    ).catch((e: unknown) => e);
    expect(attempts).toBe(1);
    expect(error).toMatchObject({ cloudCode: 'ECONNRESET', httpStatus: undefined });
  });

  it('resends a non-idempotent mutation the cloud refused (throttling)', async () => {
    const { clock, caller } = setup();
    let attempts = 0;
    await settleOnClock(
      clock,
      caller.call({ action: 'AddBackendServers', idempotent: false }, async () => {
        attempts++;
        if (attempts === 1) throw cloudError('Throttling.User', 400);
      }),
    );
    expect(attempts).toBe(2);
  });

  it('passes drainctl errors through untouched (e.g. no credentials)', async () => {
    const { clock, caller } = setup();
    const own = new DrainctlError('CLOUD_CREDENTIALS_MISSING', 'none');
    const error = await settleOnClock(
      clock,
      caller.call({ action: 'X', idempotent: true }, async () => {
        throw own;
      }),
    ).catch((e: unknown) => e);
    expect(error).toBe(own);
  });

  it('names what to check when the credentials are refused', async () => {
    const { clock, caller } = setup();
    const error = (await settleOnClock(
      clock,
      caller.call({ action: 'DescribeLoadBalancers', idempotent: true }, async () => {
        throw cloudError('InvalidAccessKeyId.NotFound', 404);
      }),
    ).catch((e: unknown) => e)) as AliyunApiError;
    expect(error.code).toBe('CLOUD_CREDENTIALS_REJECTED');
    expect(error.hint).toMatch(/ALIBABA_CLOUD_ACCESS_KEY_ID/);
    const signature = (await settleOnClock(
      clock,
      caller.call({ action: 'DescribeLoadBalancers', idempotent: true }, async () => {
        throw cloudError('SignatureDoesNotMatch', 400);
      }),
    ).catch((e: unknown) => e)) as AliyunApiError;
    expect(signature.hint).toMatch(/ALIBABA_CLOUD_ACCESS_KEY_SECRET/);
  });
});
