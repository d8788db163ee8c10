/**
 * Holding one ramp step and judging its 5xx budget continuously: the probe reports the step's
 * tally after each read of the log (every second by default), and as soon as it is over
 * `max5xxRate` with at least `minRequests` requests the hold ends — the node goes back to 0
 * within about a second of the errors, not at the end of a 30 s hold. A hold that ends within
 * budget is judged exactly as before: on everything it saw.
 */
import type { Clock, ErrorRateSample, TrafficProbe } from '../../ports/index.js';

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
 * Hold one step for `holdSeconds` as one window of the probe, ending it early once the step's
 * tally is over budget. One window, not back-to-back slices: requests written between two
 * slices would be seen by neither. A window the probe could not read from start to end fails
 * (PROBE_BLIND: no evidence is not "no errors").
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
  const sample = await probe.measureErrorRate({
    seconds: Math.max(0, budget.holdSeconds),
    stopWhen: (soFar) => judge(soFar, budget).bad,
  });
  return judge(sample, budget);
}
