/**
 * A per-target rate limit: at most `perMinute` messages in any 60 s (a sliding window on the
 * monotonic clock), as the chat platforms count them.
 */
const MINUTE_MS = 60_000;

export class RateWindow {
  private sent: number[] = [];

  constructor(private readonly perMinute: number) {}

  /** How long until one more message may go (0: now). */
  waitMs(nowMs: number): number {
    this.sent = this.sent.filter((at) => at > nowMs - MINUTE_MS);
    if (this.sent.length < this.perMinute) return 0;
    return (this.sent[0] ?? nowMs) + MINUTE_MS - nowMs;
  }

  record(nowMs: number): void {
    this.sent.push(nowMs);
  }
}
