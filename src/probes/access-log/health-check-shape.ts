/**
 * Whether requests ignored for their source address alone (they come from `ignoreCidrs`, and
 * are neither the listener's own check nor an ignored path or user agent) still look like the
 * balancer's health checks. Behind a layer-7 listener every proxied request comes from the same
 * 100.64.0.0/10 as the checks: read by its peer address (no X-Forwarded-For in the format, or
 * `--client-address remote_addr`), real traffic would be ignored and a server called drained
 * while clients are on it. An SLB health check has a narrow shape — GET or HEAD, one path per
 * listener, once per interval (at least 1 s) from each checker node — which real traffic does
 * not keep to for long: a request outside it is counted as real traffic, whatever its address.
 *
 * The limits leave room for real checks (several listeners, short intervals) and cannot be
 * met by proxied traffic of any size: a method other than GET/HEAD, more distinct paths than
 * listeners plausibly check, or more than a checker sends from one address. A trickle of GETs
 * on one path can still pass for a check; planning refuses the workflows that would need this
 * (remote_addr behind a layer-7 listener, X-Forwarded-For off).
 */

/** Distinct paths health checks may ask for: one per listener with an HTTP check. */
export const MAX_CHECK_PATHS = 4;
/** Requests one checker address may send per second, averaged over the window below. */
export const MAX_CHECKS_PER_SECOND = 5;
const WINDOW_SECONDS = 5;
/** Addresses whose rate is tracked; checker nodes are far fewer. */
const MAX_TRACKED_ADDRESSES = 1024;

const CHECK_METHODS = new Set(['GET', 'HEAD']);

interface Rate {
  /** The second it was first seen. */
  first: number;
  seconds: number[];
  counts: number[];
}

export class HealthCheckShape {
  private readonly paths = new Set<string>();
  private readonly rates = new Map<string, Rate>();

  /**
   * Why a source-ignored request is not a health check, or undefined when it may be one.
   * `nowMs` is when it was read (monotonic): rates are by read time, the log's own clock is not
   * trusted.
   */
  judge(
    address: string,
    method: string | undefined,
    path: string | undefined,
    nowMs: number,
  ): string | undefined {
    if (method !== undefined && !CHECK_METHODS.has(method.toUpperCase())) {
      return `${method} ${path ?? ''} from ${address}: health checks only GET or HEAD`;
    }
    if (path !== undefined && !this.paths.has(path)) {
      if (this.paths.size >= MAX_CHECK_PATHS) {
        return `${method ?? 'a request'} ${path} from ${address}: more than ${MAX_CHECK_PATHS} different paths from the ignored range (${[...this.paths].join(', ')}, …), where health checks ask one path per listener`;
      }
      this.paths.add(path);
    }
    const { sent, seconds } = this.count(address, nowMs);
    if (sent > MAX_CHECKS_PER_SECOND * seconds) {
      return `${sent} requests in ${seconds} s from ${address}: more than the ${MAX_CHECKS_PER_SECOND} a second a health checker sends at most`;
    }
    return undefined;
  }

  /**
   * This address's requests in the last WINDOW_SECONDS whole seconds, this one included, and
   * how many seconds that is (fewer since it was first seen: a burst is caught in its first
   * second, before a short quiet period could pass over it).
   */
  private count(address: string, nowMs: number): { sent: number; seconds: number } {
    const second = Math.floor(nowMs / 1000);
    let rate = this.rates.get(address);
    if (rate === undefined) {
      if (this.rates.size >= MAX_TRACKED_ADDRESSES) return { sent: 0, seconds: 1 };
      rate = {
        first: second,
        seconds: new Array<number>(WINDOW_SECONDS).fill(-1),
        counts: new Array<number>(WINDOW_SECONDS).fill(0),
      };
      this.rates.set(address, rate);
    }
    const slot = second % WINDOW_SECONDS;
    if (rate.seconds[slot] !== second) {
      rate.seconds[slot] = second;
      rate.counts[slot] = 0;
    }
    rate.counts[slot] = (rate.counts[slot] ?? 0) + 1;
    let sent = 0;
    for (let i = 0; i < WINDOW_SECONDS; i++) {
      const at = rate.seconds[i] ?? -1;
      if (at > second - WINDOW_SECONDS && at <= second) sent += rate.counts[i] ?? 0;
    }
    return { sent, seconds: Math.min(WINDOW_SECONDS, second - rate.first + 1) };
  }
}
