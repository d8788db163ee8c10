/**
 * `drainctl resume <id> --retry <instanceId>`: once the operator fixed what made a node end
 * rolled back or left out, carry it through its full sequence again. Nothing is assumed from
 * the journal: its weight and the balancer's health view of it are read live first and
 * journaled (`retry`), and its sequence starts over from there (gate, drain, patch …).
 */
import { DrainctlError, ExitCode } from '../../errors/index.js';
import type { PlanAttachment, Step } from '../../plan/types.js';
import { resolveRef } from '../execution/refs.js';
import type { RunContext } from '../execution/run-context.js';
import { attachmentKey } from '../journal/attachment-key.js';
import type { NodeRecord, RunState } from '../journal/run-state.js';
import { liveAttachmentWeights } from '../steps/attachment-weights.js';

export class RetryRefusedError extends DrainctlError {
  constructor(message: string, hint: string) {
    super('RETRY_REFUSED', message, { hint, exitCode: ExitCode.invalidInput });
  }
}

/** Refuse (nothing changed) unless every named node ended rolled back or left out. */
export function checkRetryable(state: RunState, nodeIds: readonly string[]): void {
  const runId = state.runId;
  if (nodeIds.length > 0 && state.done === undefined && state.halt !== undefined) {
    throw new RetryRefusedError(
      `run ${runId} was interrupted while it was stopping: --retry is not taken now`,
      `finish the stop first with \`drainctl resume ${runId}\`, then \`drainctl resume ${runId} --retry <instanceId>\``,
    );
  }
  for (const id of nodeIds) {
    const node = state.nodes.get(id);
    if (node === undefined || drainStepOf(state, id) === undefined) {
      throw new RetryRefusedError(
        `--retry ${id}: no such node in run ${runId}'s plan`,
        `the nodes are: ${[...state.nodes.keys()].join(', ')}`,
      );
    }
    if (node.state !== 'rolled-back' && node.state !== 'left-out') {
      throw new RetryRefusedError(
        `--retry ${id}: ${node.name} is ${node.state}, only a node rolled back or left out is retried`,
        `see \`drainctl status ${runId}\``,
      );
    }
  }
}

/** Re-observe each node live, journal it, and put its sequence back to the start. */
export async function retryNodes(ctx: RunContext, nodeIds: readonly string[]): Promise<void> {
  for (const id of nodeIds) {
    const record = ctx.state.nodes.get(id);
    const drain = drainStepOf(ctx.state, id);
    if (record === undefined || drain === undefined) continue;
    const loadBalancerId = String(resolveRef(drain.params.loadBalancerId, ctx.state));
    const serverId = drain.params.serverId;
    if (drain.params.attachments !== undefined) {
      await retryFleetNode(ctx, id, record, drain.params.attachments);
      continue;
    }
    const [backends, health] = await Promise.all([
      ctx.ports.loadBalancer.listBackends(loadBalancerId),
      ctx.ports.loadBalancer.healthStatus(loadBalancerId),
    ]);
    const backend = backends.find((b) => b.serverId === serverId);
    if (backend === undefined) {
      await ctx.record({
        type: 'note',
        node: id,
        message: `${record.name} (${id}) not retried: it is no longer attached to ${loadBalancerId}; it stays ${record.state}`,
      });
      continue;
    }
    const views = health.filter((h) => h.serverId === serverId).map((h) => h.health);
    const healthView = views.length === 0 ? 'unknown' : [...new Set(views)].join('/');
    await ctx.record({
      type: 'retry',
      node: id,
      from: record.state,
      weight: backend.weight,
      health: healthView,
    });
    ctx.logger.info(
      { node: id, weight: backend.weight, health: healthView },
      `${record.name} (${id}): retried from ${backend.weight === 0 ? 'out of service' : `weight ${backend.weight}`}, health ${healthView}`,
    );
  }
}

/**
 * A fleet node is retried from out of service only at weight 0 on every attachment; otherwise
 * from its highest live weight. One it is no longer attached to somewhere is not retried.
 */
async function retryFleetNode(
  ctx: RunContext,
  id: string,
  record: NodeRecord,
  attachments: readonly PlanAttachment[],
): Promise<void> {
  const live = await liveAttachmentWeights(ctx, id, attachments);
  const gone = attachments.filter((a) => live.get(attachmentKey(a)) === undefined);
  if (gone.length > 0) {
    await ctx.record({
      type: 'note',
      node: id,
      message: `${record.name} (${id}) not retried: it is no longer in ${gone.map((a) => a.label).join('; ')}; it stays ${record.state}`,
    });
    return;
  }
  const weights = Object.fromEntries(
    attachments.map((a) => [attachmentKey(a), live.get(attachmentKey(a)) ?? 0]),
  );
  const weight = Math.max(...Object.values(weights));
  await ctx.record({
    type: 'retry',
    node: id,
    from: record.state,
    weight,
    health: 'unknown',
    attachmentWeights: weights,
  });
  ctx.logger.info(
    { node: id, weight },
    `${record.name} (${id}): retried from ${weight === 0 ? 'out of service' : `weight ${weight} on an attachment`}`,
  );
}

function drainStepOf(
  state: RunState,
  nodeId: string,
): Extract<Step, { action: 'node.drain' }> | undefined {
  return state.plan.steps.find(
    (s): s is Extract<Step, { action: 'node.drain' }> =>
      s.action === 'node.drain' && s.node === nodeId,
  );
}
