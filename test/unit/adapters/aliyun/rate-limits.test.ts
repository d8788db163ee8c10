/**
 * One token bucket per action at the documented quota: a burst goes out at half the quota at
 * once, the rest paced, and no window of the quota's length ever sees more than the quota.
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
      limiter.take('SetBackendServers').then(() => sentAt.push(clock.monotonic())),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(sentAt).toHaveLength(45); // half of 90/60 s at once
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
    expect(sentAt.at(-1)).toBeGreaterThan(5 * 60_000 - 1000);
  });

  it('keeps one bucket per action, and lets unlimited actions through', async () => {
    const clock = new ManualClock();
    const limiter = new ActionRateLimiter(
      rateLimitsFor('slb', { SetBackendServers: { calls: 2, perSeconds: 1 }, AddTags: 'off' }),
      clock,
    );
    await limiter.take('SetBackendServers');
    const second = limiter.take('SetBackendServers');
    await limiter.take('DescribeLoadBalancerAttribute');
    for (let n = 0; n < 1000; n++) await limiter.take('AddTags');
    expect(clock.pendingSleeps).toBe(1);
    await clock.advance(1000);
    await second;
  });

  it('is off entirely with "off"', () => {
    expect(rateLimitsFor('slb', 'off').size).toBe(0);
    expect(rateLimitsFor('alidns', undefined).get('UpdateDomainRecord')).toEqual({
      calls: 60,
      perSeconds: 1,
    });
  });
});
