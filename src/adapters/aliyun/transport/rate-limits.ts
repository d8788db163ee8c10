/**
 * Client-side API rate limits: one token bucket per action, so a night of many servers never
 * throttles itself. The defaults are the per-action quotas Alibaba Cloud documents (docs/aliyun.md,
 * "API rate limits"); each is "N calls per S seconds" per account and region, and a bucket of N/2
 * tokens refilled at N/2 per S seconds never sends more than N in any S seconds. Throttling that
 * still happens (other clients of the same account) is retried by the retry policy.
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

/**
 * One bucket per limited action (GCRA: each call reserves the next free instant at once, so
 * concurrent callers queue fairly without a lock). Unlimited actions pass straight through.
 */
export class ActionRateLimiter {
  /** Per action: when the bucket would next be full again ("theoretical arrival time"). */
  private readonly nextFull = new Map<string, number>();

  constructor(
    private readonly limits: ReadonlyMap<string, RateLimit>,
    private readonly clock: Clock,
    /**
     * Buckets shared by every replica (keyed `<product>:<action>`); while they cannot be reached
     * this process's own buckets pace its calls.
     */
    private readonly shared?: { buckets: RateBuckets; product: string },
  ) {}

  /** Waits until `action` may be sent (at once while its bucket has tokens). */
  async take(action: string, signal?: AbortSignal): Promise<void> {
    const limit = this.limits.get(action);
    if (limit === undefined) return;
    const capacity = Math.max(1, Math.floor(limit.calls / 2));
    const intervalMs = (limit.perSeconds * 1000) / capacity;
    if (this.shared !== undefined) {
      const key = `${this.shared.product}:${action}`;
      const wait = await this.shared.buckets
        .reserve(key, intervalMs, capacity)
        .catch(() => undefined);
      if (wait !== undefined) {
        if (wait > 1e-6) await this.clock.sleep(wait, signal);
        return;
      }
    }
    const now = this.clock.monotonic();
    const full = Math.max(this.nextFull.get(action) ?? now, now);
    const sendAt = full - (capacity - 1) * intervalMs;
    this.nextFull.set(action, full + intervalMs);
    // The tolerance absorbs the rounding of adding up fractional intervals.
    if (sendAt - now > 1e-6) await this.clock.sleep(sendAt - now, signal);
  }
}
