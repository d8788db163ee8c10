/**
 * Client-side API rate limits: one sliding window per action, so a night of many servers never
 * throttles itself. The defaults are the per-action quotas Alibaba Cloud documents (docs/aliyun.md,
 * "API rate limits"); each is "N calls per S seconds" per account and region, and the window
 * never sends more than N in any S seconds. Throttling that still happens (other clients of the
 * same account) is retried by the retry policy.
 */
import type { Clock, RateBuckets } from '../../../ports/index.js';
import type { CloudProduct } from './retry-policy.js';

/** At most `calls` calls in any `perSeconds` seconds. */
export interface RateLimit {
  calls: number;
  perSeconds: number;
}

/**
 * Overrides of the documented limits: per action a limit or 'off' (no limit); 'off' alone turns
 * every limiter off.
 */
export type RateLimitSettings = 'off' | Readonly<Record<string, RateLimit | 'off'>>;

const perMinute = (calls: number): RateLimit => ({ calls, perSeconds: 60 });
const perSecond = (calls: number): RateLimit => ({ calls, perSeconds: 1 });

/**
 * The documented quotas of the actions drainctl calls. SLB: the CLB 2014-05-15 quota table
 * (mutations 90/60 s, reads 3000/60 s; figures the table did not show for an action follow its
 * kind and are marked unconfirmed in docs/aliyun.md). Alidns: its 2015-01-09 quota table. ECS
 * publishes its quotas only in the Quota Center console: no default.
 */
export const DOCUMENTED_RATE_LIMITS: Readonly<
  Record<CloudProduct, Readonly<Record<string, RateLimit>>>
> = {
  slb: {
    CreateLoadBalancer: perMinute(60),
    DeleteLoadBalancer: perMinute(90),
    DescribeLoadBalancers: perMinute(3000),
    DescribeLoadBalancerAttribute: perMinute(3000),
    CreateLoadBalancerTCPListener: perMinute(90),
    CreateLoadBalancerUDPListener: perMinute(90),
    CreateLoadBalancerHTTPListener: perMinute(90),
    CreateLoadBalancerHTTPSListener: perMinute(90),
    DescribeLoadBalancerTCPListenerAttribute: perMinute(3000),
    DescribeLoadBalancerUDPListenerAttribute: perMinute(3000),
    DescribeLoadBalancerHTTPListenerAttribute: perMinute(3000),
    DescribeLoadBalancerHTTPSListenerAttribute: perMinute(3000),
    StartLoadBalancerListener: perMinute(90),
    StopLoadBalancerListener: perMinute(90),
    DeleteLoadBalancerListener: perMinute(90),
    AddBackendServers: perMinute(90),
    SetBackendServers: perMinute(90),
    RemoveBackendServers: perMinute(90),
    DescribeHealthStatus: perMinute(3000),
    AddTags: perMinute(180),
    RemoveTags: perMinute(180),
    DescribeTags: perMinute(3000),
    DescribeVServerGroups: perMinute(3000),
    DescribeVServerGroupAttribute: perMinute(3000),
    SetVServerGroupAttribute: perMinute(90),
    DescribeMasterSlaveServerGroups: perMinute(3000),
    DescribeMasterSlaveServerGroupAttribute: perMinute(3000),
  },
  alidns: {
    DescribeDomainRecords: perSecond(100),
    DescribeSubDomainRecords: perSecond(300),
    DescribeDomainRecordInfo: perSecond(200),
    AddDomainRecord: perSecond(60),
    UpdateDomainRecord: perSecond(60),
    DeleteDomainRecord: perSecond(60),
  },
  ecs: {},
};

/** The limit of each action of `product`: the documented ones with `settings` applied. */
export function rateLimitsFor(
  product: CloudProduct,
  settings: RateLimitSettings | undefined,
): Map<string, RateLimit> {
  const limits = new Map(Object.entries(DOCUMENTED_RATE_LIMITS[product]));
  if (settings === 'off') return new Map();
  for (const [action, limit] of Object.entries(settings ?? {})) {
    if (limit === 'off') limits.delete(action);
    else limits.set(action, limit);
  }
  return limits;
}

/** Called once the call a `take` let out was answered (or will not be sent after all). */
export type CallAnswered = () => void;

/** One of an action's last N calls: when it was answered, once it was. */
interface CallSlot {
  answeredAt?: number;
  answered: Promise<void>;
  markAnswered: (at: number) => void;
}

function callSlot(): CallSlot {
  let markAnswered: (at: number) => void = () => undefined;
  const slot: CallSlot = {
    answered: new Promise<void>((resolve) => {
      markAnswered = (at) => {
        if (slot.answeredAt === undefined) slot.answeredAt = at;
        resolve();
      };
    }),
    markAnswered: (at) => markAnswered(at),
  };
  return slot;
}

/**
 * One sliding window per limited action: a call goes out at once while fewer than N went out in
 * the last S seconds, else S seconds (plus a margin) after the oldest of those N was answered.
 * The cloud counts a call when it arrives, which is after it was sent (a burst leaves a loaded
 * client over some milliseconds) but never after its answer: timing the window from the answer
 * keeps every window the cloud sees under N. So a burst uses the whole quota and a long night
 * runs at the full quota, where a token bucket that keeps every window under N runs at half of
 * it. Calls take their place in the window at once, so concurrent callers queue fairly.
 */
export class ActionRateLimiter {
  /** Per action: its last N calls, oldest first (a ring). */
  private readonly windows = new Map<string, { slots: CallSlot[]; oldest: number }>();

  constructor(
    private readonly limits: ReadonlyMap<string, RateLimit>,
    private readonly clock: Clock,
    /**
     * Buckets shared by every replica (keyed `<product>:<action>`); while they cannot be reached
     * this process's own window paces its calls.
     */
    private readonly shared?: { buckets: RateBuckets; product: string },
  ) {}

  /**
   * Waits until `action` may be sent (at once while its window has room); the caller calls what
   * it returns once the call was answered, failed, or was not sent.
   */
  async take(action: string, signal?: AbortSignal): Promise<CallAnswered> {
    const limit = this.limits.get(action);
    if (limit === undefined) return () => undefined;
    if (this.shared !== undefined) {
      // The replicas' shared buckets are token buckets: half the quota as burst and rate keeps
      // every window under N, at half the throughput of the local sliding window below.
      const capacity = Math.max(1, Math.floor(limit.calls / 2));
      const intervalMs = (limit.perSeconds * 1000) / capacity;
      const key = `${this.shared.product}:${action}`;
      const wait = await this.shared.buckets
        .reserve(key, intervalMs, capacity)
        .catch(() => undefined);
      if (wait !== undefined) {
        if (wait > 1e-6) await this.clock.sleep(wait, signal);
        return () => undefined;
      }
    }
    let window = this.windows.get(action);
    if (window === undefined) {
      window = { slots: [], oldest: 0 };
      this.windows.set(action, window);
    }
    const mine = callSlot();
    const answered = () => mine.markAnswered(this.clock.monotonic());
    if (window.slots.length < limit.calls) {
      window.slots.push(mine);
      return answered;
    }
    const before = window.slots[window.oldest] as CallSlot;
    window.slots[window.oldest] = mine;
    window.oldest = (window.oldest + 1) % limit.calls;
    try {
      await abortable(before.answered, signal);
      const windowMs = limit.perSeconds * 1000;
      const sendAt = (before.answeredAt ?? 0) + windowMs + arrivalMarginMs(windowMs);
      const now = this.clock.monotonic();
      if (sendAt - now > 1e-6) await this.clock.sleep(sendAt - now, signal);
    } catch (error) {
      // Never sent: the calls queued behind this one must not wait for it.
      answered();
      throw error;
    }
    return answered;
  }
}

/** `promise`, or the signal's reason once it is aborted. */
function abortable(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return promise;
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, reject);
  });
}

/**
 * How much later than S seconds after the oldest call the next one goes: the cloud counts calls
 * when they arrive, and a request sent on time may arrive a little after the one before it.
 */
function arrivalMarginMs(windowMs: number): number {
  return Math.min(1000, 50 + windowMs * 0.01);
}
