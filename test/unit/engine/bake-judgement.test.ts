import { describe, expect, it } from 'vitest';
import { judgeBake, percentileMs } from '#src/engine/steps/bake-judgement.js';
import type { ErrorRateSample, RequestTimeHistogram } from '#src/ports/index.js';
import { REQUEST_TIME_BOUNDS_MS, TrafficTally } from '#src/probes/access-log/traffic-tally.js';

/** One access log's window: `times` in ms as the probe's tally counts them. */
function histogramOf(sample: ErrorRateSample): RequestTimeHistogram {
  if (sample.requestTimes === undefined) throw new Error('no request times');
  return sample.requestTimes;
}

function sample(times: number[], errors5xx = 0): ErrorRateSample {
  const tally = new TrafficTally();
  const before = tally.requestTimes.slice();
  for (const ms of times) tally.countRequestTime(ms);
  const requestTimes = tally.requestTimesSince(before, 0);
  const requests = times.length;
  return {
    seconds: 30,
    requests,
    errors5xx,
    rate: requests === 0 ? 0 : errors5xx / requests,
    ...(requestTimes === undefined ? {} : { requestTimes }),
  };
}

const limits = { max5xxRate: 0.01, minRequests: 20, maxLatencyMs: 300 };

describe('the bake judgement', () => {
  it('reads the 95th percentile by nearest rank, at most 10 % above the true time', () => {
    // 100 requests: 94 at 20 ms, 6 at 1000 ms — the 95th is one of the slow ones.
    const slow = sample([...Array(94).fill(20), ...Array(6).fill(1000)]);
    const p95 = percentileMs(histogramOf(slow), 0.95);
    expect(p95).toBeGreaterThanOrEqual(1000);
    expect(p95).toBeLessThanOrEqual(1100);
    // 95 fast ones: the 95th is fast.
    const fast = sample([...Array(95).fill(20), ...Array(5).fill(1000)]);
    expect(percentileMs(histogramOf(fast), 0.95)).toBeLessThanOrEqual(22);
  });

  it('fails above the limit, across every log added up', () => {
    // The canary is slow, the others fast: a third of the balancer's requests are slow.
    const verdict = judgeBake(
      [sample(Array(30).fill(800)), sample(Array(30).fill(10)), sample(Array(30).fill(10))],
      limits,
    );
    expect(verdict.standing.timed).toBe(90);
    expect(verdict.failure).toMatch(
      /^the 95th-percentile request time \d+ ms \(of 90 requests\) is above 300 ms$/,
    );
  });

  it('passes within the limit', () => {
    const verdict = judgeBake([sample(Array(100).fill(250))], limits);
    expect(verdict.failure).toBeUndefined();
    expect(verdict.summary).toMatch(/; p95 \d+ ms \(limit 300 ms\)$/);
  });

  it('is inconclusive, not failed, with fewer timed requests than minRequests', () => {
    const verdict = judgeBake([sample(Array(19).fill(5000))], limits);
    expect(verdict.failure).toBeUndefined();
    expect(verdict.summary).toContain('latency inconclusive (19 timed requests, fewer than 20)');
  });

  it('judges no latency without a limit, and none from a log without request times', () => {
    const slow = sample(Array(100).fill(5000));
    expect(judgeBake([slow], { max5xxRate: 0.01, minRequests: 20 }).failure).toBeUndefined();
    expect(judgeBake([slow], { max5xxRate: 0.01, minRequests: 20 }).summary).not.toContain('p95');
    const untimed: ErrorRateSample = { seconds: 30, requests: 100, errors5xx: 0, rate: 0 };
    expect(judgeBake([untimed], limits).summary).toContain('latency inconclusive (0 timed');
  });

  it('names the 5xx rate first when both limits are crossed', () => {
    const verdict = judgeBake([sample(Array(100).fill(5000), 10)], limits);
    expect(verdict.failure).toMatch(/^the balancer's 5xx rate 10\.0% \(10\/100\) is above 1\.0%$/);
  });

  it('counts a time past the last bound into the last bucket', () => {
    const verdict = judgeBake([sample(Array(20).fill(10_000_000))], limits);
    expect(verdict.standing.p95Ms).toBe(REQUEST_TIME_BOUNDS_MS.at(-1));
    expect(verdict.failure).toContain('over 10 min');
  });
});
