/**
 * The rollout's safety budget in numbers: how many servers may be out at once, and how many
 * healthy, weighted backends must stay on the balancer (docs/design.md §4, invariants 1 and 2).
 * Percents are of the fleet (maxUnavailable, rounded down, at least 1) and of the serving
 * backends (minHealthy, rounded up: the safe side).
 */
import type { FleetNode, OtherBackend } from './fleet.js';

export interface Budget {
  maxUnavailable: number;
  minHealthy: number;
  /** Backends with weight > 0 once prepared (fleet and others). */
  servingCount: number;
  /** Ids of backends that are healthy and weighted once prepared. */
  healthyWeighted: string[];
}

export function resolveBudget(
  rollout: { maxUnavailable: number | string; minHealthy: number | string },
  nodes: readonly FleetNode[],
  others: readonly OtherBackend[],
): Budget {
  const serving = [
    ...nodes.filter((node) => node.weightAtRollout > 0).map((node) => node.id),
    ...others.filter((other) => other.weight > 0).map((other) => other.serverId),
  ];
  const healthyWeighted = [
    ...nodes.filter((node) => node.weightAtRollout > 0 && node.healthy).map((node) => node.id),
    ...others.filter((other) => other.weight > 0 && other.healthy).map((other) => other.serverId),
  ];
  const maxUnavailable =
    typeof rollout.maxUnavailable === 'number'
      ? rollout.maxUnavailable
      : Math.max(1, Math.floor((percent(rollout.maxUnavailable) * nodes.length) / 100));
  const minHealthy =
    typeof rollout.minHealthy === 'number'
      ? rollout.minHealthy
      : Math.ceil((percent(rollout.minHealthy) * serving.length) / 100);
  return { maxUnavailable, minHealthy, servingCount: serving.length, healthyWeighted };
}

function percent(text: string): number {
  return Number(text.replace('%', ''));
}
