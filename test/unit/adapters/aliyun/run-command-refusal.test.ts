/**
 * RunCommand is sent with a ClientToken (idempotent), so a first attempt whose answer was lost
 * (ReadTimeout, 5xx) is resent. A 403 to the resend (an STS token that expired during the
 * backoff) says nothing about the first send, which may be running the patch: the error the
 * retry loop raises counts its attempts, and only a refusal of the one and only attempt is
 * "refused before running" (the engine then restores the node; otherwise it is left out).
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCloudCaller } from '#src/adapters/aliyun/transport/cloud-call.js';
import { refusedBeforeRunning } from '#src/engine/steps/command-refusal.js';
import { createLogger } from '#src/log/index.js';
import { ManualClock } from '#support/manual-clock.js';
import { settleOnClock } from '#support/waits.js';

const expired = () =>
  Object.assign(new Error('InvalidSecurityToken.Expired: code: 403, expired request id: R2'), {
    code: 'InvalidSecurityToken.Expired',
    statusCode: 403,
    data: {
      Code: 'InvalidSecurityToken.Expired',
      Message: 'expired',
      RequestId: 'R2',
      statusCode: 403,
    },
  });
const readTimeout = () => Object.assign(new Error('ReadTimeout'), { code: 'ReadTimeout' });

/** Sends RunCommand through the real retry loop; each attempt throws what `answers` says. */
async function runCommandFailing(
  answers: Array<() => Error>,
): Promise<{ error: unknown; sent: number }> {
  const clock = new ManualClock();
  const logger = createLogger({
    level: 'silent',
    pretty: false,
    destination: new Writable({
      write(_chunk, _enc, done) {
        done();
      },
    }),
  });
  const caller = createCloudCaller({
    product: 'ecs',
    logger,
    clock,
    retry: {
      budgetOverride: { maxAttempts: 4, maxElapsedMs: 10_000, baseDelayMs: 100, maxDelayMs: 1_000 },
      random: () => 0,
    },
    target: () => ({
      region: 'cn-hangzhou',
      endpoint: '127.0.0.1:1',
      endpointOverridden: true,
      credentialSource: 'explicit',
    }),
  });
  let sent = 0;
  const error = await settleOnClock(
    clock,
    caller.call({ action: 'RunCommand', idempotent: true }, async () => {
      const answer = answers[Math.min(sent, answers.length - 1)] as () => Error;
      sent += 1;
      throw answer();
    }),
  ).catch((e: unknown) => e);
  return { error, sent };
}

describe('RunCommand refused, by attempt', () => {
  it('a 403 to the only attempt: refused before running (one attempt counted)', async () => {
    const { error, sent } = await runCommandFailing([expired]);
    expect(sent).toBe(1);
    expect(error).toMatchObject({ attempts: 1, httpStatus: 403, retryable: false });
    expect(refusedBeforeRunning(error)).toBe(true);
  });

  it('a 403 to the resend after a ReadTimeout: not a refusal (the first send may be running)', async () => {
    const { error, sent } = await runCommandFailing([readTimeout, expired]);
    expect(sent).toBe(2);
    expect(error).toMatchObject({ attempts: 2, httpStatus: 403, retryable: false });
    expect(refusedBeforeRunning(error)).toBe(false);
  });
});
