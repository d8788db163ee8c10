/**
 * "Answered once, acted on once": every delivery's event id (and its signature, see each
 * verifier's replayKey) is claimed here before anything acts on it; a key already claimed and not
 * yet expired is a retry or a replay, acknowledged and otherwise ignored. The interface is async
 * and small so a shared store (PostgreSQL, for replicas) can take the in-memory one's place.
 */
export interface ReplayGuard {
  /**
   * Claims `key` until `nowMs + ttlMs`. True the first time; false while an earlier claim of the
   * same key lives. Claiming is atomic: of two concurrent claims exactly one wins.
   */
  claim(key: string, nowMs: number, ttlMs: number): Promise<boolean>;
}

/**
 * A ReplayGuard for one process. Expired keys are dropped as claims go by, and the map is
 * bounded: past `maxKeys` the oldest claims go first, which can only let a very old replay
 * through a window the verifiers already refuse.
 */
export class InMemoryReplayGuard implements ReplayGuard {
  private readonly expiries = new Map<string, number>();

  constructor(private readonly maxKeys = 100_000) {}

  claim(key: string, nowMs: number, ttlMs: number): Promise<boolean> {
    this.dropExpired(nowMs);
    const expiresAt = this.expiries.get(key);
    if (expiresAt !== undefined && expiresAt > nowMs) return Promise.resolve(false);
    this.expiries.delete(key);
    this.expiries.set(key, nowMs + ttlMs);
    while (this.expiries.size > this.maxKeys) {
      const oldest = this.expiries.keys().next().value;
      if (oldest === undefined) break;
      this.expiries.delete(oldest);
    }
    return Promise.resolve(true);
  }

  /** How many claims are held (for tests and metrics). */
  get size(): number {
    return this.expiries.size;
  }

  /**
   * Claims sit in claim order, which is expiry order when they share a TTL, so the sweep stops
   * at the first live one; a shorter TTL behind a longer one is only swept later, never honoured
   * late (claim compares the expiry itself).
   */
  private dropExpired(nowMs: number): void {
    for (const [key, expiresAt] of this.expiries) {
      if (expiresAt > nowMs) return;
      this.expiries.delete(key);
    }
  }
}

/**
 * How long a claim must live: longer than the platform's replay window, so a replay inside
 * the window always meets its claim, and at least a day for retried event ids.
 */
export function replayClaimTtlMs(replayWindowMs: number): number {
  return Math.max(2 * replayWindowMs, 24 * 60 * 60 * 1000);
}
