/**
 * One sliding window per action at the documented quota: a burst goes out at the whole quota at
 * once, the rest at the quota's pace, and no window of the quota's length ever sees more than
 * the quota.
 */
import { describe, expect, it } from 'vitest';
import {
  ActionRateLimiter,
  DOCUMENTED_RATE_LIMITS,
  rateLimitsFor,
} from '#src/adapters/aliyun/transport/rate-limits.js';
import { ManualClock } from '#support/manual-clock.js';

describe('ActionRateLimiter', () => {
  it('never lets more than N calls of an action out in any S seconds', async () => {
    const clock = new ManualClock();
    const limiter = new ActionRateLimiter(rateLimitsFor('slb', undefined), clock);
    const sentAt: number[] = [];
    const calls = Array.from({ length: 300 }, () =>
      limiter.take('SetBackendServers').then((answered) => {
        sentAt.push(clock.monotonic());
        answered();
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(sentAt).toHaveLength(90); // the whole of 90/60 s at once
    await clock.advance(400_000);
    await Promise.all(calls);
    const { calls: quota, perSeconds } = DOCUMENTED_RATE_LIMITS.slb.SetBackendServers ?? {
      calls: 0,
      perSeconds: 0,
    };
    for (const start of sentAt) {
      const inWindow = sentAt.filter((t) => t >= start && t < start + perSeconds * 1000);
      expect(inWindow.length).toBeLessThanOrEqual(quota);
    }
    // 300 calls at 90 a minute: the last goes out in the fourth minute, not the sixth a bucket
    // of half the quota would take — a long night runs at the quota, not half of it.
    expect(sentAt.at(-1)).toBeGreaterThan(3 * 60_000);
    expect(sentAt.at(-1)).toBeLessThan(3 * 60_000 + 3 * 1000);
  });

  it('keeps one bucket per action, and lets unlimited actions through', async () => {
    const clock = new ManualClock();
    const limiter = new ActionRateLimiter(
      rateLimitsFor('slb', { SetBackendServers: { calls: 2, perSeconds: 1 }, AddTags: 'off' }),
      clock,
    );
    (await limiter.take('SetBackendServers'))();
    (await limiter.take('SetBackendServers'))();
    const third = limiter.take('SetBackendServers');
    await limiter.take('DescribeLoadBalancerAttribute');
    for (let n = 0; n < 1000; n++) await limiter.take('AddTags');
    expect(clock.pendingSleeps).toBe(1);
    await clock.advance(1100);
    await third;
  });

  it('times the window from the answers: a call the cloud counted late frees its place late', async () => {
    const clock = new ManualClock();
    const limiter = new ActionRateLimiter(
      rateLimitsFor('slb', { SetBackendServers: { calls: 2, perSeconds: 1 } }),
      clock,
    );
    const first = await limiter.take('SetBackendServers');
    const second = await limiter.take('SetBackendServers');
    let thirdAt: number | undefined;
    const third = limiter.take('SetBackendServers').then((answered) => {
      thirdAt = clock.monotonic();
      answered();
    });
    // The first call is still on its way: a window timed from its send would free it at 1 s.
    await clock.advance(1500);
    expect(thirdAt).toBeUndefined();
    first();
    second();
    await clock.advance(1100);
    await third;
    expect(thirdAt).toBeGreaterThanOrEqual(1500 + 1000);
  });

  it('a call aborted while it waits gives its place to the next', async () => {
    const clock = new ManualClock();
    const limiter = new ActionRateLimiter(
      rateLimitsFor('slb', { SetBackendServers: { calls: 1, perSeconds: 1 } }),
      clock,
    );
    (await limiter.take('SetBackendServers'))();
    const stop = new AbortController();
    const aborted = limiter.take('SetBackendServers', stop.signal);
    const next = limiter.take('SetBackendServers');
    stop.abort(new Error('stopped'));
    await expect(aborted).rejects.toThrow('stopped');
    await clock.advance(5000);
    await expect(next).resolves.toBeTypeOf('function');
  });

  it('is off entirely with "off"', () => {
    expect(rateLimitsFor('slb', 'off').size).toBe(0);
    expect(rateLimitsFor('alidns', undefined).get('UpdateDomainRecord')).toEqual({
      calls: 60,
      perSeconds: 1,
    });
  });
});
