/**
 * How the journal and the run state name one attachment of a fleet server (docs/engine.md,
 * "Fleet runs"): a weight change's target carries `vServerGroupId` and `port` when it is a
 * vServer group's, nothing more when it is a balancer's default server group.
 */
import type { PlanAttachment } from '../../plan/types.js';

type Place = Pick<PlanAttachment, 'loadBalancerId' | 'vServerGroupId' | 'port'>;

/** `lb-1` (default server group) or `lb-1/rsp-2:8080` (a vServer group's port). */
export function attachmentKey(attachment: Place): string {
  return attachment.vServerGroupId === undefined
    ? attachment.loadBalancerId
    : `${attachment.loadBalancerId}/${attachment.vServerGroupId}:${attachment.port}`;
}

/** The key of one server's weight on one attachment in the run state. */
export function attachmentWeightKey(serverId: string, attachment: Place): string {
  return weightKeyOf(serverId, attachmentKey(attachment));
}

/** The same, from an attachment's key (`lb-1`, `lb-1/rsp-2:8080`). */
export function weightKeyOf(serverId: string, key: string): string {
  return `${serverId}@${key}`;
}

/** A journaled target read back as the attachment it names. */
export function targetAttachment(target: Record<string, unknown>): Place {
  return {
    loadBalancerId: String(target.loadBalancerId),
    ...(typeof target.vServerGroupId === 'string'
      ? { vServerGroupId: target.vServerGroupId, port: Number(target.port) }
      : {}),
  };
}
