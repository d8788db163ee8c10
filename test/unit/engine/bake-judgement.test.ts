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

/** Each sample as one server's log: web-1, web-2, … */
function logs(...samples: ErrorRateSample[]): Map<string, ErrorRateSample> {
  return new Map(samples.map((s, i) => [`web-${i + 1}`, s]));
}

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
      logs(sample(Array(30).fill(800)), sample(Array(30).fill(10)), sample(Array(30).fill(10))),
      [],
      limits,
    );
    expect(verdict.standing.timed).toBe(90);
    expect(verdict.failure).toMatch(
      /^the balancer's 95th-percentile request time \d+ ms \(of 90 requests\) is above 300 ms$/,
    );
  });

  it('passes within the limit', () => {
    const verdict = judgeBake(logs(sample(Array(100).fill(250))), [], limits);
    expect(verdict.failure).toBeUndefined();
    expect(verdict.summary).toMatch(/; p95 \d+ ms \(limit 300 ms\)$/);
  });

  it('is inconclusive, not failed, with fewer timed requests than minRequests', () => {
    const verdict = judgeBake(logs(sample(Array(19).fill(5000))), [], limits);
    expect(verdict.failure).toBeUndefined();
    expect(verdict.summary).toContain('latency inconclusive (19 timed requests, fewer than 20)');
  });

  it('judges no latency without a limit, and none from a log without request times', () => {
    const slow = sample(Array(100).fill(5000));
    expect(
      judgeBake(logs(slow), [], { max5xxRate: 0.01, minRequests: 20 }).failure,
    ).toBeUndefined();
    expect(judgeBake(logs(slow), [], { max5xxRate: 0.01, minRequests: 20 }).summary).not.toContain(
      'p95',
    );
    const untimed: ErrorRateSample = { seconds: 30, requests: 100, errors5xx: 0, rate: 0 };
    expect(judgeBake(logs(untimed), [], limits).summary).toContain('latency inconclusive (0 timed');
  });

  it('names the 5xx rate first when both limits are crossed', () => {
    const verdict = judgeBake(logs(sample(Array(100).fill(5000), 10)), [], limits);
    expect(verdict.failure).toMatch(/^the balancer's 5xx rate 10\.0% \(10\/100\) is above 1\.0%$/);
  });

  it('counts a time past the last bound into the last bucket', () => {
    const verdict = judgeBake(logs(sample(Array(20).fill(10_000_000))), [], limits);
    expect(verdict.standing.p95Ms).toBe(REQUEST_TIME_BOUNDS_MS.at(-1));
    expect(verdict.failure).toContain('over 10 min');
  });

  it('fails a canary whose own log crosses a limit the balancer as a whole stays under', () => {
    // Twenty servers; the canary (web-1) answers 5xx to a tenth of its requests and slowly:
    // 10/2000 = 0.5 % and a fast p95 over the balancer, both within the limits.
    const others = Array.from({ length: 19 }, () => sample(Array(100).fill(20)));
    const canary = sample(Array(100).fill(2000), 10);
    const tallies = logs(canary, ...others);
    expect(judgeBake(tallies, [], limits).failure).toBeUndefined();
    const verdict = judgeBake(tallies, ['web-1'], limits);
    expect(verdict.failure).toBe("the canary's own 5xx rate 10.0% (10/100) is above 1.0%");
    expect(verdict.summary).toMatch(/^balancer 10\/2000 5xx .*; canary alone 10\/100 5xx /);
    const slowOnly = judgeBake(logs(sample(Array(100).fill(2000)), ...others), ['web-1'], limits);
    expect(slowOnly.failure).toMatch(
      /^the canary's own 95th-percentile request time \d+ ms \(of 100 requests\) is above 300 ms$/,
    );
  });

  it('leaves a canary with fewer than minRequests of its own inconclusive, not failed', () => {
    const others = Array.from({ length: 5 }, () => sample(Array(100).fill(20)));
    const verdict = judgeBake(logs(sample(Array(10).fill(2000), 5), ...others), ['web-1'], limits);
    expect(verdict.failure).toBeUndefined();
    expect(verdict.summary).toContain('canary alone 5/10 5xx (50.0%, limit 1.0%, fewer than 20');
  });

  it('judges once when every watched log is a canary', () => {
    const verdict = judgeBake(logs(sample(Array(100).fill(20))), ['web-1'], limits);
    expect(verdict.summary).not.toContain('canary alone');
  });
});
