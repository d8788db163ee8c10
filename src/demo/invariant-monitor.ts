/**
 * Watches the emulator's ground truth (not drainctl's own view) while the rollout runs, so the
 * demo can say whether the safety invariants held: never fewer than `minHealthy` healthy,
 * weighted backends, never more than `maxUnavailable` of the run's nodes out of service.
 */

export interface BackendTruth {
  serverId: string;
  weight: number;
  health: string;
}

export interface InvariantSample {
  /** Backends with weight > 0 whose health check passes. */
  healthyWeighted: number;
  /** The run's nodes at weight 0. */
  outOfService: string[];
}

export function sampleInvariants(
  backends: BackendTruth[],
  runNodes: readonly string[],
): InvariantSample {
  return {
    healthyWeighted: backends.filter((b) => b.weight > 0 && b.health === 'normal').length,
    outOfService: backends
      .filter((b) => b.weight === 0 && runNodes.includes(b.serverId))
      .map((b) => b.serverId),
  };
}

export interface InvariantSummary {
  samples: number;
  minHealthyWeighted: number;
  maxOutOfService: number;
  /** When most nodes were out at once, which they were. */
  worstOutOfService: string[];
}

export class InvariantMonitor {
  private summary: InvariantSummary = {
    samples: 0,
    minHealthyWeighted: Number.POSITIVE_INFINITY,
    maxOutOfService: 0,
    worstOutOfService: [],
  };

  record(sample: InvariantSample): void {
    this.summary.samples += 1;
    this.summary.minHealthyWeighted = Math.min(
      this.summary.minHealthyWeighted,
      sample.healthyWeighted,
    );
    if (sample.outOfService.length > this.summary.maxOutOfService) {
      this.summary.maxOutOfService = sample.outOfService.length;
      this.summary.worstOutOfService = sample.outOfService;
    }
  }

  result(): InvariantSummary {
    return { ...this.summary };
  }
}
