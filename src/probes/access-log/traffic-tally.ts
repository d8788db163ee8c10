/**
 * Running counts of what the log showed: real requests, ignored ones, 5xx answers, the moment
 * of the last real request (monotonic, for the decision; wall, for people), a per-second
 * ring for the request rate and the real requests' times where the log gives them. Fixed size,
 * whatever the log's length.
 */
import type { RequestTimeHistogram } from '../../ports/index.js';

/** Seconds the request rate is averaged over. */
export const RATE_WINDOW_SECONDS = 5;
const RING = 8;

/**
 * Request-time buckets: 1 ms, then 10 % wider each, up to nginx's longest sensible request
 * (past 10 minutes, one last bucket). A percentile read from them is at most 10 % high.
 */
export const REQUEST_TIME_BOUNDS_MS: readonly number[] = (() => {
  const bounds: number[] = [];
  for (let b = 1; b < 600_000; b = Math.max(b + 1, Math.ceil(b * 1.1))) bounds.push(b);
  bounds.push(Number.POSITIVE_INFINITY);
  return bounds;
})();

export interface TallyCounts {
  real: number;
  ignored: number;
  errors5xx: number;
  unparsed: number;
  truncated: number;
  droppedPartials: number;
}

export class TrafficTally implements TallyCounts {
  real = 0;
  ignored = 0;
  errors5xx = 0;
  /** Lines the format did not fit; counted as real (a wrong format must not end a drain early). */
  unparsed = 0;
  truncated = 0;
  /** Unfinished last lines of a file that was truncated or rotated away. */
  droppedPartials = 0;
  /** When lines being processed now were seen (monotonic ms and wall ms); set per batch. */
  nowMonotonic = 0;
  nowWall = 0;
  lastRealMonotonic = Number.NEGATIVE_INFINITY;
  lastRealWall: number | undefined;
  private readonly ringSecond = new Float64Array(RING).fill(-1);
  private readonly ringCount = new Float64Array(RING);

  /** Rate-ring slot of the current batch, worked out once per batch rather than per line. */
  private slot = 0;

  stamp(monotonicMs: number, wallMs: number): void {
    this.nowMonotonic = monotonicMs;
    this.nowWall = wallMs;
    const second = Math.floor(monotonicMs / 1000);
    this.slot = second % RING;
    if (this.ringSecond[this.slot] !== second) {
      this.ringSecond[this.slot] = second;
      this.ringCount[this.slot] = 0;
    }
  }

  /** Real requests with a request time, per REQUEST_TIME_BOUNDS_MS bucket. */
  readonly requestTimes = new Float64Array(REQUEST_TIME_BOUNDS_MS.length);
  timed = 0;

  /** A real request's time in ms; negative (not logged) is not counted. */
  countRequestTime(ms: number): void {
    if (ms < 0) return;
    let lo = 0;
    let hi = REQUEST_TIME_BOUNDS_MS.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ms <= (REQUEST_TIME_BOUNDS_MS[mid] ?? 0)) hi = mid;
      else lo = mid + 1;
    }
    this.requestTimes[lo] = (this.requestTimes[lo] ?? 0) + 1;
    this.timed++;
  }

  /** The request times counted since `before` (a copy of `requestTimes`); undefined if none. */
  requestTimesSince(before: Float64Array, timedBefore: number): RequestTimeHistogram | undefined {
    const total = this.timed - timedBefore;
    if (total <= 0) return undefined;
    const counts = Array.from(this.requestTimes, (n, i) => n - (before[i] ?? 0));
    return { upperBoundsMs: REQUEST_TIME_BOUNDS_MS, counts, total };
  }

  countReal(status: number): void {
    this.real++;
    if (status >= 500 && status <= 599) this.errors5xx++;
    this.lastRealMonotonic = this.nowMonotonic;
    this.lastRealWall = this.nowWall;
    this.ringCount[this.slot] = (this.ringCount[this.slot] ?? 0) + 1;
  }

  /** Real requests per second over the last RATE_WINDOW_SECONDS whole seconds before `nowMs`. */
  requestsPerSecond(nowMs: number): number {
    const now = Math.floor(nowMs / 1000);
    let sum = 0;
    for (let i = 0; i < RING; i++) {
      const second = this.ringSecond[i] ?? 0;
      if (second > now - RATE_WINDOW_SECONDS && second <= now) sum += this.ringCount[i] ?? 0;
    }
    return Math.round((sum / RATE_WINDOW_SECONDS) * 10) / 10;
  }

  snapshot(): TallyCounts {
    return {
      real: this.real,
      ignored: this.ignored,
      errors5xx: this.errors5xx,
      unparsed: this.unparsed,
      truncated: this.truncated,
      droppedPartials: this.droppedPartials,
    };
  }
}
