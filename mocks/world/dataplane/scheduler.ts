/**
 * Choosing the backend for a new connection (layer 4) or request (layer 7). `wrr` is nginx's
 * smooth weighted round robin: over any window each backend gets its share of weight, and the
 * picks interleave instead of coming in bursts. `rr` ignores the size of weights, `sch`/`tch`
 * hash the client address over the weights. Weights are read afresh at every pick, so a weight
 * change applies to the very next connection. Pure apart from its own state.
 */

export interface Candidate {
  key: string;
  weight: number;
}

export class BackendScheduler {
  private readonly current = new Map<string, number>();

  constructor(private readonly algorithm: string) {}

  /** Picks among candidates with weight > 0 (the caller has already dropped unhealthy ones). */
  pick<T extends Candidate>(candidates: T[], clientAddress: string): T | undefined {
    const eligible = candidates.filter((candidate) => candidate.weight > 0);
    if (eligible.length === 0) return undefined;
    if (this.algorithm === 'sch' || this.algorithm === 'tch')
      return hashPick(eligible, clientAddress);
    const weightOf = (candidate: T) => (this.algorithm === 'rr' ? 1 : candidate.weight);

    const keys = new Set(eligible.map((candidate) => candidate.key));
    for (const key of this.current.keys()) if (!keys.has(key)) this.current.delete(key);

    let total = 0;
    let best: T | undefined;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (const candidate of eligible) {
      const weight = weightOf(candidate);
      const value = (this.current.get(candidate.key) ?? 0) + weight;
      this.current.set(candidate.key, value);
      total += weight;
      if (value > bestValue) {
        best = candidate;
        bestValue = value;
      }
    }
    if (best) this.current.set(best.key, bestValue - total);
    return best;
  }
}

function hashPick<T extends Candidate>(eligible: T[], clientAddress: string): T | undefined {
  let hash = 2166136261;
  for (const char of clientAddress) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  const total = eligible.reduce((sum, candidate) => sum + candidate.weight, 0);
  let point = hash % total;
  for (const candidate of eligible) {
    if (point < candidate.weight) return candidate;
    point -= candidate.weight;
  }
  return eligible[eligible.length - 1];
}
