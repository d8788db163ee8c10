/**
 * Changing a fleet server's weight on several attachments at once (a balancer's default server
 * group, vServer group ports): read every live weight, refuse all if any is not what this run
 * expects (drift, nothing changed), journal one intent per attachment with its live weight as
 * before-state — all of them before the first call, so every weight to come back to is on disk
 * before anything changes — then one call per group, each followed by its attachments' results.
 * A crash between two groups' calls leaves the later intents open; `resume` settles each by
 * reading its weight back (lifecycle/reconcile.ts). The calls are shared with other servers
 * changing on the same group at the same time (execution/weight-writes.ts).
 */
import type { PlanAttachment } from '../../plan/types.js';
import type { ServerAttachments } from '../../ports/index.js';
import { AttachmentsUnavailableError } from '../engine-errors.js';
import type { RunContext } from '../execution/run-context.js';
import { attachmentKey, attachmentWeightKey, targetAttachment } from '../journal/attachment-key.js';
import type { Compensates } from '../journal/entries.js';
import type { RunState } from '../journal/run-state.js';

/** The journal's target of a weight change on an attachment. */
export function attachmentTarget(
  serverId: string,
  attachment: PlanAttachment,
): Record<string, unknown> {
  return {
    attachment: true,
    loadBalancerId: attachment.loadBalancerId,
    serverId,
    ...(attachment.vServerGroupId === undefined
      ? {}
      : { vServerGroupId: attachment.vServerGroupId, port: attachment.port }),
  };
}

/** Each attachment's live weight (undefined: the server is no longer there). */
export async function liveAttachmentWeights(
  ctx: RunContext,
  serverId: string,
  attachments: readonly PlanAttachment[],
): Promise<Map<string, number | undefined>> {
  const live = new Map<string, number | undefined>();
  const balancers = [...new Set(attachments.map((a) => a.loadBalancerId))];
  for (const loadBalancerId of balancers) {
    const here = attachments.filter((a) => a.loadBalancerId === loadBalancerId);
    if (here.some((a) => a.vServerGroupId === undefined)) {
      const backends = await ctx.ports.loadBalancer.listBackends(loadBalancerId);
      live.set(loadBalancerId, backends.find((b) => b.serverId === serverId)?.weight);
    }
    if (here.some((a) => a.vServerGroupId !== undefined)) {
      const groups = await attachmentsPort(ctx).vServerGroups(loadBalancerId);
      for (const a of here) {
        if (a.vServerGroupId === undefined) continue;
        const member = groups
          .find((g) => g.id === a.vServerGroupId)
          ?.members.find((m) => m.serverId === serverId && m.port === a.port);
        live.set(attachmentKey(a), member?.weight);
      }
    }
  }
  return live;
}

/** The weight(s) this run expects the server to have on the attachment right now. */
export function expectedAttachmentWeights(
  state: RunState,
  serverId: string,
  attachment: PlanAttachment,
): number[] {
  const allowed = new Set<number>();
  const confirmed = state.attachmentWeights.get(attachmentWeightKey(serverId, attachment));
  allowed.add(confirmed ?? attachment.weight);
  const key = attachmentKey(attachment);
  for (const intent of state.pendingIntents.values()) {
    if (intent.op !== 'set-weight' || intent.target.serverId !== serverId) continue;
    if (attachmentKey(targetAttachment(intent.target)) !== key) continue;
    allowed.add(Number(intent.before.weight));
    allowed.add(Number(intent.to.weight));
  }
  return [...allowed];
}

export interface AttachmentWeightChange {
  step: string;
  /** Each attachment's op is `${opId}@${attachmentKey}`. */
  opId: string;
  node: string;
  serverId: string;
  attachments: readonly PlanAttachment[];
  /** The weight each attachment goes to. */
  to: (attachment: PlanAttachment) => number;
  compensates?: Compensates;
}

export type AttachmentWeightResult =
  | { ok: true; before: Map<string, number> }
  | { ok: false; drift: string };

/** A change decided and journaled (every intent on disk), its calls not sent yet. */
export interface PreparedWeightChange {
  ok: true;
  change: AttachmentWeightChange;
  todo: readonly PlanAttachment[];
  before: Map<string, number>;
}

/**
 * Set the server's weight on every attachment: drift-checked as a whole, one intent per
 * attachment, one call per group (weights of one server in one vServer group go together).
 * Attachments whose op this run already completed are left alone, so a resumed change picks up
 * where it stopped.
 */
export async function setAttachmentWeights(
  ctx: RunContext,
  change: AttachmentWeightChange,
): Promise<AttachmentWeightResult> {
  const prepared = await prepareAttachmentWeights(ctx, change);
  if (!prepared.ok) return prepared;
  await applyAttachmentWeights(ctx, prepared);
  return { ok: true, before: prepared.before };
}

/**
 * The first half of setAttachmentWeights: the live weights read, drift refused, every intent
 * journaled. What is decided on (the gate) is decided before it; the calls may follow outside the
 * gate mutex, since the gate counts an attachment with an open intent at the lower of its read
 * weight and its intended one (fleet-gate.ts).
 */
export async function prepareAttachmentWeights(
  ctx: RunContext,
  change: AttachmentWeightChange,
): Promise<PreparedWeightChange | { ok: false; drift: string }> {
  const { serverId } = change;
  const opOf = (a: PlanAttachment) => `${change.opId}@${attachmentKey(a)}`;
  const todo = change.attachments.filter((a) => !ctx.state.completedOps.has(opOf(a)));
  const live = await liveAttachmentWeights(ctx, serverId, todo);
  const drift: string[] = [];
  const before = new Map<string, number>();
  for (const a of todo) {
    const weight = live.get(attachmentKey(a));
    const expected = expectedAttachmentWeights(ctx.state, serverId, a);
    if (weight === undefined) drift.push(`${serverId} is no longer in ${a.label}`);
    else if (!expected.includes(weight))
      drift.push(
        `weight of ${serverId} in ${a.label} is ${weight}, expected ${expected.join(' or ')} (changed by someone else)`,
      );
    else before.set(attachmentKey(a), weight);
  }
  if (drift.length > 0) return { ok: false, drift: drift.join('; ') };
  for (const a of todo) {
    await ctx.record({
      type: 'intent',
      step: change.step,
      opId: opOf(a),
      op: 'set-weight',
      node: change.node,
      target: attachmentTarget(serverId, a),
      before: { weight: before.get(attachmentKey(a)) },
      to: { weight: change.to(a) },
      ...(change.compensates === undefined ? {} : { compensates: change.compensates }),
    });
  }
  return { ok: true, change, todo, before };
}

/**
 * The second half: one call per group, group after group (a crash between two leaves the later
 * intents open), each followed by its attachments' results. Calls go through the run's group
 * commit (weight-writes.ts): servers changing together on one group share a call.
 */
export async function applyAttachmentWeights(
  ctx: RunContext,
  prepared: PreparedWeightChange,
): Promise<void> {
  const { change, todo, before } = prepared;
  const { serverId } = change;
  const opOf = (a: PlanAttachment) => `${change.opId}@${attachmentKey(a)}`;
  for (const group of groupsOf(todo)) {
    const moving = group.filter((a) => before.get(attachmentKey(a)) !== change.to(a));
    const first = group[0] as PlanAttachment;
    if (moving.length > 0) {
      if (first.vServerGroupId === undefined) {
        await ctx.weightWrites.setBackendWeights(first.loadBalancerId, [
          { serverId, weight: change.to(first) },
        ]);
      } else {
        await ctx.weightWrites.setVServerGroupWeights(
          first.vServerGroupId,
          moving.map((a) => ({ serverId, port: a.port ?? 0, weight: change.to(a) })),
        );
      }
    }
    for (const a of group) {
      await ctx.record({
        type: 'result',
        step: change.step,
        opId: opOf(a),
        op: 'set-weight',
        node: change.node,
        applied: true,
        after: { ...attachmentTarget(serverId, a), weight: change.to(a) },
      });
    }
  }
}

/** Attachments by group (a balancer's default group, or one vServer group), in plan order. */
function groupsOf(attachments: readonly PlanAttachment[]): PlanAttachment[][] {
  const groups = new Map<string, PlanAttachment[]>();
  for (const a of attachments) {
    const key = `${a.loadBalancerId}/${a.vServerGroupId ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  return [...groups.values()];
}

function attachmentsPort(ctx: RunContext): ServerAttachments {
  const port = ctx.ports.attachments;
  if (port === undefined)
    throw new AttachmentsUnavailableError('read or set vServer group weights');
  return port;
}
