/**
 * A host is changed (patched, rebooted) only while its node is out of service. Right before
 * each such change the node's live weight is read again: someone may have put it back while it
 * drained or was being patched (a colleague in the console, a pipeline re-applying weights), or
 * while no process ran before a resume. Then the host is left alone and the node is reported as
 * drift — a serving server is never patched or rebooted.
 */
import type { Step } from '../../plan/types.js';
import { resolveRef } from '../execution/refs.js';
import type { RunContext } from '../execution/run-context.js';
import { attachmentKey } from '../journal/attachment-key.js';
import { liveAttachmentWeights } from './attachment-weights.js';
import { servingOutsidePlan } from './unplanned-attachments.js';

/** Why `node` is not safely out of service right now, or undefined when it is (weight 0). */
export async function stillInService(ctx: RunContext, node: string): Promise<string | undefined> {
  const drain = ctx.state.plan.steps.find(
    (s): s is Extract<Step, { action: 'node.drain' }> =>
      s.action === 'node.drain' && s.node === node,
  );
  // A node the plan never drains is not taken out by this run: nothing to compare with.
  if (drain === undefined) return undefined;
  const name = ctx.state.nodes.get(node)?.name ?? node;
  const { attachments } = drain.params;
  if (attachments !== undefined) {
    // A fleet server is out of service only at weight 0 on every attachment.
    // …including attachments outside the plan (weight 0 when planned, or added since).
    const live = await liveAttachmentWeights(ctx, drain.params.serverId, attachments);
    const serving = attachments
      .filter((a) => live.get(attachmentKey(a)) !== 0)
      .map((a) => `${a.label} at ${live.get(attachmentKey(a)) ?? 'no weight (detached)'}`);
    serving.push(...(await servingOutsidePlan(ctx, drain.params.serverId, attachments)));
    if (serving.length === 0) return undefined;
    const where = serving.join('; ');
    return `${name} (${drain.params.serverId}) is not out of service everywhere (changed by someone else): ${where}; its host was left alone`;
  }
  const loadBalancerId = String(resolveRef(drain.params.loadBalancerId, ctx.state));
  const { serverId } = drain.params;
  const backend = (await ctx.ports.loadBalancer.listBackends(loadBalancerId)).find(
    (b) => b.serverId === serverId,
  );
  if (backend === undefined) {
    return `${name} (${serverId}) is no longer attached to ${loadBalancerId} (changed by someone else): its host was left alone`;
  }
  if (backend.weight !== 0) {
    return `${name} (${serverId}) is back in service at weight ${backend.weight} on ${loadBalancerId} (set by someone else): its host was left alone`;
  }
  return undefined;
}
