/**
 * Whether the canary's bake is within its limits, from every watched access log's tally so far:
 * the 5xx rate and, when a latency limit is set, the 95th percentile of the request time, each
 * judged twice — over the whole balancer, and over the canary servers' own logs, since among
 * twenty servers a canary failing every other request moves the balancer's rate by 2.5 % and its
 * p95 not at all. Each is judged only from `minRequests` requests (fewer: inconclusive, not failed).
 * The 95th rather than the 99th percentile: a bake often sees a few hundred requests, where the
 * 99th rests on a handful of them and one slow request would roll a good version back.
 */
import type { ErrorRateSample, RequestTimeHistogram } from '../../ports/index.js';

export const BAKE_LATENCY_PERCENTILE = 0.95;

export interface BakeLimits {
  max5xxRate: number;
  minRequests: number;
  maxLatencyMs?: number;
}

export interface BakeStanding {
  requests: number;
  errors5xx: number;
  rate: number;
  /** Requests whose time the logs gave. */
  timed: number;
  /** The 95th-percentile request time (a bucket's upper bound: at most 10 % high); absent untimed. */
  p95Ms?: number;
}

export interface BakeVerdict {
  standing: BakeStanding;
  /** Why the bake fails; undefined while within its limits or inconclusive. */
  failure: string | undefined;
  /** `0/12 5xx (0.0%, limit 1.0%); p95 …`: how it stands, for notes and the outcome. */
  summary: string;
}

/**
 * @param tallies each watched server's tally so far, by server id
 * @param canary the canary servers, judged alone as well (none watched: the balancer only)
 */
export function judgeBake(
  tallies: ReadonlyMap<string, ErrorRateSample>,
  canary: readonly string[],
  limits: BakeLimits,
): BakeVerdict {
  const whole = judgeTraffic(tallies.values(), limits, "the balancer's");
  const own = [...tallies].filter(([serverId]) => canary.includes(serverId));
  // With every server a canary (or no other log watched) the two views are one.
  if (own.length === 0 || own.length === tallies.size) return whole;
  const alone = judgeTraffic(
    own.map(([, sample]) => sample),
    limits,
    "the canary's own",
  );
  return {
    standing: whole.standing,
    failure: alone.failure ?? whole.failure,
    summary: `balancer ${whole.summary}; canary alone ${alone.summary}`,
  };
}

function judgeTraffic(
  samples: Iterable<ErrorRateSample>,
  limits: BakeLimits,
  whose: string,
): BakeVerdict {
  const standing = addUp(samples);
  const { requests, errors5xx, rate, timed, p95Ms } = standing;
  const { max5xxRate, minRequests, maxLatencyMs } = limits;
  let failure: string | undefined;
  if (requests >= minRequests && rate > max5xxRate) {
    failure = `${whose} 5xx rate ${pct(rate)} (${errors5xx}/${requests}) is above ${pct(max5xxRate)}`;
  } else if (
    maxLatencyMs !== undefined &&
    timed >= minRequests &&
    p95Ms !== undefined &&
    p95Ms > maxLatencyMs
  ) {
    failure = `${whose} 95th-percentile request time ${ms(p95Ms)} (of ${timed} requests) is above ${maxLatencyMs} ms`;
  }
  let summary = `${errors5xx}/${requests} 5xx (${pct(rate)}, limit ${pct(max5xxRate)}${requests < minRequests ? `, fewer than ${minRequests} requests: inconclusive` : ''})`;
  if (maxLatencyMs !== undefined) {
    summary +=
      timed < minRequests
        ? `; latency inconclusive (${timed} timed requests, fewer than ${minRequests})`
        : `; p95 ${ms(p95Ms ?? 0)} (limit ${maxLatencyMs} ms)`;
  }
  return { standing, failure, summary };
}

/** The logs' tallies as one: counts added, request-time buckets added bucket by bucket. */
function addUp(samples: Iterable<ErrorRateSample>): BakeStanding {
  let requests = 0;
  let errors5xx = 0;
  let times: { upperBoundsMs: readonly number[]; counts: number[] } | undefined;
  for (const s of samples) {
    requests += s.requests;
    errors5xx += s.errors5xx;
    const h = s.requestTimes;
    if (h === undefined) continue;
    times ??= { upperBoundsMs: h.upperBoundsMs, counts: new Array(h.counts.length).fill(0) };
    for (let i = 0; i < h.counts.length; i++) {
      times.counts[i] = (times.counts[i] ?? 0) + (h.counts[i] ?? 0);
    }
  }
  const timed = times === undefined ? 0 : times.counts.reduce((a, b) => a + b, 0);
  const p95Ms =
    times === undefined
      ? undefined
      : percentileMs({ ...times, total: timed }, BAKE_LATENCY_PERCENTILE);
  return {
    requests,
    errors5xx,
    rate: requests === 0 ? 0 : errors5xx / requests,
    timed,
    ...(p95Ms === undefined ? {} : { p95Ms }),
  };
}

/** Nearest rank: the upper bound of the bucket holding the ⌈q·n⌉-th fastest request. */
export function percentileMs(h: RequestTimeHistogram, q: number): number | undefined {
  if (h.total <= 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * h.total));
  let seen = 0;
  for (let i = 0; i < h.counts.length; i++) {
    seen += h.counts[i] ?? 0;
    if (seen >= rank) return h.upperBoundsMs[i];
  }
  return h.upperBoundsMs[h.upperBoundsMs.length - 1];
}

function pct(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

function ms(value: number): string {
  return Number.isFinite(value) ? `${value} ms` : 'over 10 min';
}
