/**
 * Per-action API rate limits, as Alibaba Cloud enforces its quotas ("N calls per S seconds" per
 * account, region and action): off unless asked for (StartEmulatorOptions.rateLimits, the
 * `--rate-limits` option, or the admin API). A call above its action's limit in the last S seconds
 * is refused with the real Throttling.User error and does not count.
 */
import { ApiError } from './api-error.js';

export interface ActionRateLimit {
  calls: number;
  perSeconds: number;
}

/** Action name → its limit. Actions not named are not limited. */
export type RateLimitTable = Record<string, ActionRateLimit>;

export class ApiRateLimits {
  private limits: RateLimitTable = {};
  /** Per action: the instants (ms) of the calls admitted within its window. */
  private readonly admitted = new Map<string, number[]>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  set(limits: RateLimitTable): void {
    this.limits = { ...limits };
    this.admitted.clear();
  }

  list(): RateLimitTable {
    return { ...this.limits };
  }

  /** Counts the call, or throws Throttling.User when its action is at its limit. */
  admit(action: string): void {
    const limit = this.limits[action];
    if (limit === undefined) return;
    const now = this.now();
    const since = now - limit.perSeconds * 1000;
    const recent = (this.admitted.get(action) ?? []).filter((at) => at > since);
    if (recent.length >= limit.calls) {
      this.admitted.set(action, recent);
      throw new ApiError('Throttling.User');
    }
    recent.push(now);
    this.admitted.set(action, recent);
  }
}

/**
 * `Action=N/S` entries separated by commas (the `--rate-limits` option), or a JSON object
 * `{ "Action": { "calls": N, "perSeconds": S } }` (the admin API). Throws an Error naming the
 * entry that does not fit.
 */
export function parseRateLimits(input: unknown): RateLimitTable {
  const table: RateLimitTable = {};
  if (typeof input === 'string') {
    for (const entry of input.split(',').filter((part) => part.trim() !== '')) {
      const match = /^\s*([A-Za-z]+)\s*=\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(entry);
      if (!match) throw new Error(`rate limit "${entry.trim()}" is not Action=CALLS/SECONDS`);
      table[match[1] as string] = { calls: Number(match[2]), perSeconds: Number(match[3]) };
    }
    return checked(table);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new Error('rate limits must be an object { "Action": { "calls": N, "perSeconds": S } }');
  }
  for (const [action, limit] of Object.entries(input as Record<string, unknown>)) {
    const { calls, perSeconds } = (limit ?? {}) as Partial<ActionRateLimit>;
    table[action] = { calls: Number(calls), perSeconds: Number(perSeconds) };
  }
  return checked(table);
}

function checked(table: RateLimitTable): RateLimitTable {
  for (const [action, { calls, perSeconds }] of Object.entries(table)) {
    if (!(Number.isInteger(calls) && calls > 0 && perSeconds > 0)) {
      throw new Error(`rate limit of ${action} needs calls > 0 (whole) and perSeconds > 0`);
    }
  }
  return table;
}
