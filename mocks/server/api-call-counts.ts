/**
 * How many API calls the emulator answered, per action: a benchmark or a test reads them to know
 * what a run cost in calls (the real cloud shows this only in its own metering). Throttled calls
 * are counted apart, since they did nothing; so are calls answered with any other error.
 */

export interface ActionCallCount {
  /** Answered with success. */
  ok: number;
  /** Refused with Throttling.User by the rate limits in force. */
  throttled: number;
  /** Answered with any other error. */
  failed: number;
}

export class ApiCallCounts {
  private readonly counts = new Map<string, ActionCallCount>();

  record(action: string, outcome: keyof ActionCallCount): void {
    const count = this.counts.get(action) ?? { ok: 0, throttled: 0, failed: 0 };
    count[outcome] += 1;
    this.counts.set(action, count);
  }

  /** Every action called so far, by name. */
  list(): Record<string, ActionCallCount> {
    return Object.fromEntries(
      [...this.counts].sort(([a], [b]) => a.localeCompare(b)).map(([a, c]) => [a, { ...c }]),
    );
  }

  clear(): void {
    this.counts.clear();
  }
}
