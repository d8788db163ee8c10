/**
 * How a run ends around servers it left at weight 0 as found (plan.nodes[].atZero, decided by
 * the planner: src/plan/at-zero.ts). Such a server has no steps; unless the operator said to
 * leave it (`--leave-at-zero`), the run ends halted (exit 2) naming it — but with nothing to
 * resume, so it does not hold up the next run on the balancer, which is how the operator
 * chooses (`--restore-weight`, `--leave-at-zero`).
 */
import { choicesHint } from '../../plan/at-zero.js';
import { nodeLabel } from '../../plan/host-target.js';
import type { Plan, PlanNode } from '../../plan/types.js';
import type { NodeRecord, RunState } from '../journal/run-state.js';

/** Servers left at weight 0 as found without the operator's word. */
export function leftAtZero(plan: Plan): PlanNode[] {
  return plan.nodes.filter((n) => n.atZero?.action === 'leave' && !n.atZero.acknowledged);
}

/** Servers left at weight 0 as found because the operator said so. */
export function leftAtZeroOnPurpose(plan: Plan): PlanNode[] {
  return plan.nodes.filter((n) => n.atZero?.action === 'leave' && n.atZero.acknowledged);
}

/** "web-1 (i-…) is at weight 0 and no drainctl run saved its weight: left as found" */
export function leftAtZeroReason(nodes: readonly PlanNode[]): string {
  const names = nodes.map((n) => nodeLabel(n)).join(', ');
  return `${names} ${nodes.length === 1 ? 'is' : 'are'} at weight 0 and no drainctl run saved ${nodes.length === 1 ? 'its weight' : 'their weights'}: left as found`;
}

/** What to do about them: the two flags, per server. */
export function leftAtZeroHint(nodes: readonly PlanNode[]): string {
  return nodes.map((n) => `${nodeLabel(n)}: ${choicesHint(n.id)}`).join('; ');
}

/** Nodes of the rollout (those with steps) that did not end done or skipped, untroubled. */
export function nodesNotDone(state: RunState): NodeRecord[] {
  const withSteps = new Set(
    state.plan.steps.flatMap((s) => (s.node === undefined ? [] : [s.node])),
  );
  return [...state.nodes.values()].filter(
    (n) =>
      withSteps.has(n.id) &&
      ((n.state !== 'done' && n.state !== 'skipped') || n.outcome !== undefined),
  );
}

/**
 * The run halted only because of servers left at weight 0 as found: every node of its rollout
 * is done and every step outside them completed, so `resume` has nothing to do.
 */
export function haltedOnlyAtZero(state: RunState): boolean {
  if (state.outcome !== 'halted' || leftAtZero(state.plan).length === 0) return false;
  const others = state.plan.steps.filter((s) => s.node === undefined);
  return nodesNotDone(state).length === 0 && others.every((s) => state.completedSteps.has(s.id));
}

/**
 * Servers found at weight 0 and bound for a weight that the run has not reached (their gate
 * blocked, an earlier node halted the run): still out of service, as they were found. A node
 * retried from weight 0 is named as left out instead.
 */
export function stillAtZero(state: RunState): NodeRecord[] {
  const bound = new Set(
    state.plan.nodes.filter((n) => n.atZero?.action === 'restore').map((n) => n.id),
  );
  return [...state.nodes.values()].filter(
    (n) => n.state === 'pending' && bound.has(n.id) && n.retriedFromLeftOut === undefined,
  );
}
