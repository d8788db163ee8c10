/**
 * Undoing a fleet server's weight changes (the compensations of a fleet plan's `node.drain` and
 * `node.restore`), like one balancer's (weight-compensations.ts) on every attachment at once:
 * a drained server whose host is untouched goes back to each recorded weight; a ramp goes back
 * to weight 0 everywhere. Tried again after an error before the node is named with it.
 */

import { savedWeightKey } from '../../plan/saved-weight-tag.js';
import type { PlanAttachment, Step } from '../../plan/types.js';
import { FatalRunError, message } from '../engine-errors.js';
import type { Compensated, RunContext } from '../execution/run-context.js';
import { attachmentKey } from '../journal/attachment-key.js';
import type { Compensates } from '../journal/entries.js';
import { IllegalTransitionError } from '../policy/node-machine.js';
import {
  type AttachmentWeightChange,
  type AttachmentWeightResult,
  liveAttachmentWeights,
  setAttachmentWeights,
} from './attachment-weights.js';
import { forgetDefaultGroupWeights } from './fleet-weights.js';
import { releaseConnections } from './release-connections.js';
import { SETTLE_RETRY_DELAYS_MS } from './settle-retry.js';

type DrainStep = Extract<Step, { action: 'node.drain' }>;
type RestoreStep = Extract<Step, { action: 'node.restore' }>;

/** The undo of a fleet drain: each attachment straight back to its recorded weight. */
export async function putBackEverywhere(
  ctx: RunContext,
  drain: DrainStep,
  attachments: readonly PlanAttachment[],
  mark: Compensates,
): Promise<Compensated> {
  const { serverId } = drain.params;
  const node = drain.node ?? serverId;
  const record = ctx.state.nodes.get(node);
  if (record?.retriedFromLeftOut !== undefined) {
    // A retry of a node found out of service: "as it was found" is weight 0, left out.
    await ctx.record({
      type: 'note',
      node,
      message: `${serverId} was retried from weight 0: left there, as it was found`,
      compensates: mark,
    });
    return {
      kind: 'left',
      reason: record.retriedFromLeftOut,
      detail: 'retried from weight 0, left there',
    };
  }
  const originals = record?.originalWeights;
  if (originals === undefined) {
    await ctx.record({
      type: 'note',
      node,
      message: `the weights of ${serverId} were not changed by this run: nothing to put back`,
      compensates: mark,
    });
    await forgetTagsIfServing(ctx, node, serverId, attachments);
    return { kind: 'undone', detail: 'weights back to their originals, host untouched' };
  }
  const result = await settle(ctx, {
    step: drain.id,
    opId: `${drain.id}#rollback`,
    node,
    serverId,
    attachments,
    to: (a) => originals[attachmentKey(a)] ?? a.weight,
    compensates: mark,
  });
  if (result.kind !== 'ok')
    return { kind: result.kind, detail: `not rolled back: ${result.detail}` };
  await forgetDefaultGroupWeights(
    ctx,
    node,
    serverId,
    attachments,
    `${serverId} is back at its weights`,
  );
  return {
    kind: 'undone',
    detail: 'weights back to their originals on every attachment, host untouched',
  };
}

/**
 * Tags saved before a drain that sent no weight change (it stopped on drift or an error, or the
 * process died before its intents and the resumed drain was decided against) must not stay on
 * a server that serves: a later run finding it at weight 0 would bring it back to their weight.
 * Read live; at weight 0 or detached anywhere, they stay (that is where it goes back to).
 */
async function forgetTagsIfServing(
  ctx: RunContext,
  node: string,
  serverId: string,
  attachments: readonly PlanAttachment[],
): Promise<void> {
  let live: Map<string, number | undefined>;
  try {
    live = await liveAttachmentWeights(ctx, serverId, attachments);
  } catch (error) {
    if (error instanceof FatalRunError) throw error;
    await ctx.record({
      type: 'note',
      node,
      warning: true,
      message: `could not read the weights of ${serverId} (${message(error)}): if it serves everywhere, remove the tag ${savedWeightKey(serverId)} by hand from its balancers — a later run that finds it at weight 0 would bring it back to the weight the tag names`,
    });
    return;
  }
  if (!attachments.every((a) => (live.get(attachmentKey(a)) ?? 0) > 0)) return;
  await forgetDefaultGroupWeights(ctx, node, serverId, attachments, `${serverId} still serves`);
}

/** The undo of a fleet restore: weight 0 on every attachment (it must not serve unproven). */
export async function pullToZeroEverywhere(
  ctx: RunContext,
  restore: RestoreStep,
  attachments: readonly PlanAttachment[],
  mark: Compensates,
): Promise<Compensated> {
  const { serverId } = restore.params;
  const node = restore.node ?? serverId;
  const result = await settle(ctx, {
    step: restore.id,
    opId: `${restore.id}#pull`,
    node,
    serverId,
    attachments,
    to: () => 0,
    compensates: mark,
  });
  if (result.kind !== 'ok')
    return { kind: result.kind, detail: `not taken back to weight 0: ${result.detail}` };
  const release = restore.params.releaseConnections;
  if (release === undefined) return { kind: 'undone', detail: 'taken back to weight 0 everywhere' };
  const released = await releaseConnections(ctx, restore, release, `${restore.id}#release`, mark);
  return { kind: 'undone', detail: `taken back to weight 0 everywhere; ${released.detail}` };
}

type Settled = { kind: 'ok' } | { kind: 'drift' | 'error'; detail: string };

/** The failure policy's change, tried again after an error like one balancer's (settleWeight). */
async function settle(ctx: RunContext, change: AttachmentWeightChange): Promise<Settled> {
  let last: unknown;
  for (let attempt = 0; attempt <= SETTLE_RETRY_DELAYS_MS.length; attempt += 1) {
    if (attempt > 0) await ctx.ports.clock.sleep(SETTLE_RETRY_DELAYS_MS[attempt - 1] ?? 0);
    try {
      const result: AttachmentWeightResult = await ctx.gateMutex.run(() =>
        setAttachmentWeights(ctx, change),
      );
      return result.ok ? { kind: 'ok' } : { kind: 'drift', detail: result.drift };
    } catch (error) {
      if (error instanceof FatalRunError || error instanceof IllegalTransitionError) throw error;
      last = error;
      ctx.logger.warn(
        { err: error, serverId: change.serverId, attempt: attempt + 1 },
        `weight change of ${change.serverId} failed: ${message(error)}`,
      );
    }
  }
  return { kind: 'error', detail: message(last) };
}
