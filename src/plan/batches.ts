/**
 * Cutting the ordered fleet into batches that run one after the other. A batch never holds more
 * than `maxUnavailable` servers, never two of one group, and never so many healthy, weighted
 * servers that fewer than `minHealthy` would remain on the balancer. Batches are contiguous in
 * the rollout order, so the order is respected exactly; a server that could not leave even alone
 * makes the plan impossible — reported, never planned around.
 */

export interface BatchCandidate {
  id: string;
  group?: string;
  /** Healthy and weighted now: its leaving lowers the healthy count. */
  countsAsHealthy: boolean;
}

export interface BatchLimits {
  maxUnavailable: number;
  minHealthy: number;
  /** Healthy, weighted backends on the balancer when the rollout starts. */
  healthyWeighted: number;
  /** A canary: the first batch holds at most this many servers. */
  firstBatchAtMost?: number;
}

export type BatchResult =
  | { ok: true; batches: string[][] }
  | { ok: false; blocked: string; remaining: number };

/**
 * @example cutBatches([{id:'a',countsAsHealthy:true},{id:'b',countsAsHealthy:true}],
 *   { maxUnavailable: 2, minHealthy: 1, healthyWeighted: 2 }) // [['a'], ['b']]
 */
export function cutBatches(
  candidates: readonly BatchCandidate[],
  limits: BatchLimits,
): BatchResult {
  const batches: string[][] = [];
  let current: BatchCandidate[] = [];
  const fits = (candidate: BatchCandidate): boolean => {
    if (current.length >= limits.maxUnavailable) return false;
    if (batches.length === 0 && current.length >= (limits.firstBatchAtMost ?? Infinity)) {
      return false;
    }
    if (
      candidate.group !== undefined &&
      current.some((member) => member.group === candidate.group)
    ) {
      return false;
    }
    const out = current.filter((member) => member.countsAsHealthy).length;
    return limits.healthyWeighted - out - (candidate.countsAsHealthy ? 1 : 0) >= limits.minHealthy;
  };
  for (const candidate of candidates) {
    const alone = limits.healthyWeighted - (candidate.countsAsHealthy ? 1 : 0);
    if (alone < limits.minHealthy || limits.maxUnavailable < 1) {
      return { ok: false, blocked: candidate.id, remaining: alone };
    }
    if (!fits(candidate)) {
      batches.push(current.map((member) => member.id));
      current = [];
    }
    current.push(candidate);
  }
  if (current.length > 0) batches.push(current.map((member) => member.id));
  return { ok: true, batches };
}
