/**
 * The weight a node comes back to, kept on the balancer while the node is out of service (the
 * tag format is src/plan/saved-weight-tag.ts): saved before its drain — a drain whose weight cannot
 * be saved does not happen — and removed once it is back at that weight (restored, or rolled
 * back). A node left out keeps it, so `resume --retry` or any later run, from any directory or
 * host, finds where it goes back to instead of taking 0 for its weight.
 *
 * Not journaled as intent and result: a tag write changes no traffic, repeating it is harmless,
 * and a resumed run writes or removes it again where its step repeats. The drain's and the
 * restore's step entries say what was done with it.
 */
import {
  formatSavedWeight,
  parseSavedWeight,
  savedWeightKey,
} from '../../plan/saved-weight-tag.js';
import type { Step } from '../../plan/types.js';
import { FatalRunError, message } from '../engine-errors.js';
import { resolveRef } from '../execution/refs.js';
import type { RunContext } from '../execution/run-context.js';
import { expectedWeightOf } from './weights.js';

export interface SavedWeightTarget {
  loadBalancerId: string;
  serverId: string;
  node: string;
}

/**
 * Where a node comes back to after its drain: its restore's target (a server found at weight 0
 * that a run saved a weight for, or the operator gave one, or found serving below its saved
 * weight), the weight recorded before an earlier drain of it (a retry from weight 0), or else
 * the weight this run expects it to have right now — which the drift check right before weight
 * 0 then demands. A list when the run expects more than one (a change of its own in doubt):
 * then nothing can be saved.
 */
export function weightToComeBack(
  ctx: RunContext,
  node: string,
  serverId: string,
  planWeight: number,
): number | number[] {
  const bound = boundWeight(ctx, node);
  if (bound !== undefined) return bound;
  const recorded = ctx.state.nodes.get(node)?.originalWeight;
  if (recorded !== undefined && recorded > 0) return recorded;
  const expected = expectedWeightOf(ctx, serverId, planWeight);
  return expected.length === 1 ? (expected[0] ?? 0) : expected;
}

/**
 * The weight the plan brings the node back to instead of the one it is found at (found at 0, or
 * serving below its saved weight): its rollout restore's target.
 */
export function boundWeight(ctx: RunContext, node: string): number | undefined {
  const restore = ctx.state.plan.steps.find(
    (s): s is Extract<Step, { action: 'node.restore' }> =>
      s.action === 'node.restore' && s.node === node && s.phase === 'rollout',
  );
  return restore?.params.targetWeight;
}

/** Where the node's weight is saved: the balancer and server of its drain. */
export function savedWeightTarget(ctx: RunContext, node: string): SavedWeightTarget | undefined {
  const drain = ctx.state.plan.steps.find(
    (s): s is Extract<Step, { action: 'node.drain' }> =>
      s.action === 'node.drain' && s.node === node,
  );
  if (drain === undefined) return undefined;
  const loadBalancerId = String(resolveRef(drain.params.loadBalancerId, ctx.state));
  return { loadBalancerId, serverId: drain.params.serverId, node };
}

/**
 * A node someone else put back in service (left out as drift) keeps no saved weight: its weight
 * is theirs now, and a tag left behind would bring it back to the tag's weight should a later
 * run ever find it at 0 (or below it). Read live; at weight 0 or detached, the tag stays.
 */
export async function forgetSavedWeightIfServing(ctx: RunContext, node: string): Promise<void> {
  const target = savedWeightTarget(ctx, node);
  if (target === undefined) return;
  let weight: number | undefined;
  try {
    weight = (await ctx.ports.loadBalancer.listBackends(target.loadBalancerId)).find(
      (b) => b.serverId === target.serverId,
    )?.weight;
  } catch (error) {
    if (error instanceof FatalRunError) throw error;
    await ctx.record({
      type: 'note',
      node,
      warning: true,
      message: `could not read the weight of ${target.serverId} on ${target.loadBalancerId} (${message(error)}): if it serves, remove the tag ${savedWeightKey(target.serverId)} by hand — a later run that finds it at weight 0 would bring it back to the weight the tag names`,
    });
    return;
  }
  if (weight === undefined || weight === 0) return;
  await forgetSavedWeight(ctx, target, `${target.serverId} serves at weight ${weight}`);
}

/**
 * Save `weight` as the node's tag, unless `seen` (the balancer's tags, as the lock check read
 * them a moment ago) shows it saved already — a weight a crashed run saved keeps its origin.
 * Returns whether this call wrote it. Throws what the API threw.
 */
export async function saveWeight(
  ctx: RunContext,
  target: SavedWeightTarget,
  weight: number,
  seen: Readonly<Record<string, string>> | undefined,
): Promise<boolean> {
  ctx.assertLocksHeld();
  const key = savedWeightKey(target.serverId);
  const current = seen?.[key];
  if (current !== undefined && parseSavedWeight(current)?.weight === weight) return false;
  const value = formatSavedWeight({
    weight,
    runId: ctx.state.runId,
    at: new Date(ctx.ports.clock.now()).toISOString(),
  });
  await ctx.ports.loadBalancer.setTags(target.loadBalancerId, { [key]: value });
  return true;
}

/**
 * Remove the node's tag: it is back at its weight (or was never taken out). A removal that
 * fails does not fail the node — it serves — but is a warning in the journal and the report: a
 * tag left behind would bring the server back to its weight should it ever be found at 0.
 * Returns a few words for the step's detail.
 */
export async function forgetSavedWeight(
  ctx: RunContext,
  target: SavedWeightTarget,
  why: string,
): Promise<string> {
  // Whoever holds the balancer after a lost lock owns its tags.
  ctx.assertLocksHeld();
  const key = savedWeightKey(target.serverId);
  try {
    await ctx.ports.loadBalancer.removeTags(target.loadBalancerId, [key]);
    return `tag ${key} removed`;
  } catch (error) {
    if (error instanceof FatalRunError) throw error;
    await ctx.record({
      type: 'note',
      node: target.node,
      warning: true,
      message: `could not remove the tag ${key} from ${target.loadBalancerId} (${message(error)}) although ${why}: remove it by hand — a later run that finds ${target.serverId} at weight 0 would bring it back to the weight the tag names`,
    });
    return `tag ${key} NOT removed (see the warning)`;
  }
}
