/**
 * A run's own end for drains (`drainsEndAt`, a schedule's window closing): at or after it no
 * server leaves service. It is a clean halt, not an abort — servers already out finish their
 * sequence and come back — and its reason names every server the run did not reach, so the
 * report says which, and a schedule can take them first next time.
 */
import { nodeLabel } from '../../plan/host-target.js';
import type { RunContext } from './run-context.js';

/**
 * True once the run has stopped for its drain deadline (halting it the first time). Call with
 * the gate mutex held, so a node deciding its drain meanwhile is either out or named.
 */
export async function haltAtDrainsEnd(ctx: RunContext): Promise<boolean> {
  const end = ctx.state.drainsEndAt;
  if (end === undefined || ctx.ports.clock.now() < Date.parse(end)) return false;
  if (ctx.control.stopRequested) return true;
  const notReached = ctx.state.plan.nodes.filter(
    (node) =>
      ctx.state.nodes.get(node.id)?.state === 'pending' &&
      ctx.state.plan.steps.some((step) => step.node === node.id && step.phase === 'rollout'),
  );
  await ctx.stop(
    'halt',
    `the window closed at ${end}: no server starts its drain after it; not reached: ${
      notReached.map((node) => nodeLabel(node)).join(', ') || 'none'
    }`,
  );
  return true;
}
