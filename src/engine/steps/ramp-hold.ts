/**
 * Holding one ramp step and judging its 5xx budget continuously: the probe reports the step's
 * tally after each read of the log (every second by default), and as soon as it is over
 * `max5xxRate` with at least `minRequests` requests the hold ends — the node goes back to 0
 * within about a second of the errors, not at the end of a 30 s hold. A hold that ends within
 * budget is judged on everything it saw.
 *
 * A hold that saw fewer than `minRequests` requests proves nothing either way, so it goes on
 * watching, in the same window, for up to `extendSeconds` more; still too few then, it is
 * inconclusive and the workflow's `onInconclusive` decides (`rampDecision`).
 */
import type { Clock, ErrorRateSample, TrafficProbe } from '../../ports/index.js';

export type InconclusivePolicy = 'halt' | 'continue';

export interface RampBudget {
  holdSeconds: number;
  max5xxRate: number;
  minRequests: number;
  /** How much longer than `holdSeconds` a hold with too few requests goes on watching. */
  extendSeconds: number;
}

export interface HoldVerdict {
  /** What the hold saw (undefined without a probe). */
  sample: ErrorRateSample | undefined;
  /** Enough requests to judge the rate. */
  judged: boolean;
  /** Over the budget: the node must go back to 0. */
  bad: boolean;
  /**
   * Watched, but fewer than `minRequests` requests: neither good nor bad. Never for a step
   * without a probe or held 0 s: nothing was watched there, as the plan says.
   */
  inconclusive: boolean;
}

/** What the ramp does after a hold: the one place the verdict and the policy meet. */
export type RampDecision =
  | 'go-on'
  /** Over the budget: back to 0 at once. */
  | 'bad'
  /** Too few requests and `onInconclusive: halt`: not proven, so not further into service. */
  | 'unproven'
  /** Too few requests and `onInconclusive: continue`: goes on, with a warning. */
  | 'go-on-unproven';

export function judge(sample: ErrorRateSample | undefined, budget: RampBudget): HoldVerdict {
  const judged = sample !== undefined && sample.requests >= budget.minRequests;
  return {
    sample,
    judged,
    bad: judged && sample.rate > budget.max5xxRate,
    inconclusive: sample !== undefined && budget.holdSeconds > 0 && !judged,
  };
}

export function rampDecision(verdict: HoldVerdict, policy: InconclusivePolicy): RampDecision {
  if (verdict.bad) return 'bad';
  if (!verdict.inconclusive) return 'go-on';
  return policy === 'continue' ? 'go-on-unproven' : 'unproven';
}

/**
 * The words a ramp step's detail adds for its verdict: empty for a judged hold, else what the
 * policy made of too few requests.
 */
export function inconclusiveNote(
  verdict: HoldVerdict,
  budget: RampBudget,
  policy: InconclusivePolicy,
): string {
  if (!verdict.inconclusive) return '';
  const watched = verdict.sample === undefined ? budget.holdSeconds : round(verdict.sample.seconds);
  const then =
    policy === 'continue'
      ? 'goes on unproven (onInconclusive: continue)'
      : 'not proven, not taken further (onInconclusive: halt)';
  return `fewer than ${budget.minRequests} requests in ${watched}s (hold ${budget.holdSeconds}s + up to ${budget.extendSeconds}s more): inconclusive, ${then}`;
}

/** A `node.restore` step's ramp parameters, as a plan holds them. */
export interface RampParams {
  holdSeconds: number;
  max5xxRate: number;
  minRequests: number;
  extendSeconds?: number;
  onInconclusive?: InconclusivePolicy;
}

/**
 * The budget and policy of a step. A plan written before `extendSeconds` and `onInconclusive`
 * existed has neither: it is read the safe way, no extension and `halt`.
 */
export function rampRule(params: RampParams): { budget: RampBudget; policy: InconclusivePolicy } {
  const { holdSeconds, max5xxRate, minRequests } = params;
  return {
    budget: { holdSeconds, max5xxRate, minRequests, extendSeconds: params.extendSeconds ?? 0 },
    policy: params.onInconclusive ?? 'halt',
  };
}

/**
 * The hold may end: over budget at once; within budget once it was held `holdSeconds` and saw
 * at least `minRequests` requests.
 */
function holdOver(soFar: ErrorRateSample, budget: RampBudget): boolean {
  const verdict = judge(soFar, budget);
  return verdict.bad || (verdict.judged && soFar.seconds >= budget.holdSeconds);
}

/**
 * Hold one step for `holdSeconds` (plus up to `extendSeconds` while it has too few requests)
 * as one window of the probe, ending it early once the step's tally is over budget. One window,
 * not back-to-back slices: requests written between two slices would be seen by neither. A
 * window the probe could not read from start to end fails (PROBE_BLIND: no evidence is not
 * "no errors").
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
  const hold = Math.max(0, budget.holdSeconds);
  const sample = await probe.measureErrorRate({
    seconds: hold === 0 ? 0 : hold + Math.max(0, budget.extendSeconds),
    stopWhen: (soFar) => holdOver(soFar, budget),
  });
  return judge(sample, budget);
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}
