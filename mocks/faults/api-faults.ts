/**
 * API faults in force: before each call the dispatcher asks for the latency to add and the error
 * to answer instead of the handler. Counts are consumed per matching call.
 */
import { ApiError } from '../server/api-error.js';
import type { ApiErrorFault, ApiFault, LatencyFault } from './fault-schema.js';

interface Active<T> {
  fault: T;
  remaining: number;
}

export class ApiFaults {
  private errors: Active<ApiErrorFault>[] = [];
  private latencies: Active<LatencyFault>[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  add(fault: ApiFault): void {
    if (fault.kind === 'latency') {
      this.latencies.push({ fault, remaining: fault.count ?? Number.POSITIVE_INFINITY });
    } else {
      const unlimited = fault.count === undefined && fault.rate !== undefined;
      this.errors.push({
        fault,
        remaining: unlimited ? Number.POSITIVE_INFINITY : (fault.count ?? 1),
      });
    }
  }

  clear(): void {
    this.errors = [];
    this.latencies = [];
  }

  list(): ApiFault[] {
    return [...this.errors, ...this.latencies].map(({ fault }) => fault);
  }

  /** Milliseconds to wait before handling this call. */
  latencyFor(product: string, action: string): number {
    let total = 0;
    for (const active of this.latencies) {
      if (!matches(active.fault, product, action)) continue;
      total += active.fault.ms;
      active.remaining -= 1;
    }
    this.latencies = this.latencies.filter((active) => active.remaining > 0);
    return total;
  }

  /**
   * The error this call must fail with, if a fault says so; `afterApply`: handle the call first,
   * then answer the error.
   */
  errorFor(product: string, action: string): { error: ApiError; afterApply: boolean } | undefined {
    const active = this.errors.find((candidate) => matches(candidate.fault, product, action));
    if (!active) return undefined;
    const { fault } = active;
    if (fault.rate !== undefined && this.random() >= fault.rate) return undefined;
    active.remaining -= 1;
    this.errors = this.errors.filter((candidate) => candidate.remaining > 0);
    const headers: Record<string, string> = {};
    if (fault.retryAfterMs !== undefined) headers['x-acs-retry-after'] = String(fault.retryAfterMs);
    return {
      error: new ApiError(fault.code, fault.message, { status: fault.status, headers }),
      afterApply: fault.afterApply === true,
    };
  }
}

function matches(fault: ApiFault, product: string, action: string): boolean {
  if (fault.product !== undefined && fault.product !== product) return false;
  return fault.action === '*' || fault.action === action;
}
