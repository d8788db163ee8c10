/**
 * Holding one ramp step and judging its 5xx budget continuously: the hold is watched in short
 * slices (~1 s), the counts add up over the step, and as soon as the step's tally is over
 * `max5xxRate` with at least `minRequests` requests the hold ends — the node goes back to 0
 * within about a second of the errors, not at the end of a 30 s hold. A hold that ends within
 * budget is judged exactly as before: on everything it saw.
 */
import type { Clock, ErrorRateSample, TrafficProbe } from '../../ports/index.js';

/** How long one slice of a hold watches before the budget is judged again. */
export const RAMP_SLICE_SECONDS = 1;

export interface RampBudget {
  holdSeconds: number;
  max5xxRate: number;
  minRequests: number;
}

export interface HoldVerdict {
  /** What the hold saw (undefined without a probe). */
  sample: ErrorRateSample | undefined;
  /** Enough requests to judge the rate. */
  judged: boolean;
  /** Over the budget: the node must go back to 0. */
  bad: boolean;
}

export function judge(sample: ErrorRateSample | undefined, budget: RampBudget): HoldVerdict {
  const judged = sample !== undefined && sample.requests >= budget.minRequests;
  return { sample, judged, bad: judged && sample.rate > budget.max5xxRate };
}

/**
 * Hold one step for `holdSeconds`, ending early when the budget is exceeded. A slice in which
 * the probe could not read its source (PROBE_BLIND) adds nothing; only a hold blind from start
 * to end fails (no evidence is not "no errors").
 */
export async function holdAndJudge(
  clock: Clock,
  probe: TrafficProbe | undefined,
  budget: RampBudget,
): Promise<HoldVerdict> {
  if (probe === undefined) {
    if (budget.holdSeconds > 0) await clock.sleep(budget.holdSeconds * 1000);
    return judge(undefined, budget);
  }
  if (budget.holdSeconds <= 0) return judge(await probe.measureErrorRate({ seconds: 0 }), budget);
  const total: ErrorRateSample = { seconds: 0, requests: 0, errors5xx: 0, rate: 0 };
  let remaining = budget.holdSeconds;
  let seen = false;
  let blind: unknown;
  while (remaining > 1e-9) {
    const seconds = Math.min(RAMP_SLICE_SECONDS, remaining);
    remaining -= seconds;
    try {
      const slice = await probe.measureErrorRate({ seconds });
      seen = true;
      total.requests += slice.requests;
      total.errors5xx += slice.errors5xx;
      total.seconds += slice.seconds;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'PROBE_BLIND') throw error;
      blind = error;
      total.seconds += seconds;
    }
    total.rate = total.requests === 0 ? 0 : total.errors5xx / total.requests;
    const verdict = judge(total, budget);
    if (verdict.bad) return verdict;
  }
  if (!seen) throw blind;
  return judge(total, budget);
}
