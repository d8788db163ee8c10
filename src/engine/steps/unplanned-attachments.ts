/**
 * A fleet plan drains a server from the attachments where it served when the plan was made; it
 * may also sit at weight 0 elsewhere (left as found), or be added to a group since. Someone may
 * give it weight there while the run has it out, and it would take traffic while its host is
 * patched. So before its drain and before its host is changed, every attachment it has now is
 * listed again the way the plan's survey lists them, and a weight above 0 outside the plan is
 * drift.
 */
import {
  type Attachment,
  attachmentPlace,
  attachmentsOf,
  type ObservedFleetBalancer,
} from '../../plan/fleet-survey.js';
import type { PlanAttachment } from '../../plan/types.js';
import { AttachmentsUnavailableError } from '../engine-errors.js';
import type { RunContext } from '../execution/run-context.js';
import { attachmentKey } from '../journal/attachment-key.js';

/** Where `serverId` has a weight above 0 now outside `planned`, for people; empty: nowhere. */
export async function servingOutsidePlan(
  ctx: RunContext,
  serverId: string,
  planned: readonly PlanAttachment[],
): Promise<string[]> {
  const port = ctx.ports.attachments;
  if (port === undefined)
    throw new AttachmentsUnavailableError(`list every attachment of ${serverId}`);
  const ids = new Set(planned.map((a) => a.loadBalancerId));
  for (const lb of await port.balancersServing(serverId)) ids.add(lb.id);
  const balancers: ObservedFleetBalancer[] = [];
  for (const id of [...ids].sort()) {
    const [info, vServerGroups, masterSlaveGroups] = await Promise.all([
      ctx.ports.loadBalancer.describe(id),
      port.vServerGroups(id),
      port.masterSlaveGroups(id),
    ]);
    balancers.push({
      id,
      name: info.name,
      address: info.address,
      tags: info.tags,
      backends: info.backends,
      vServerGroups,
      masterSlaveGroups,
    });
  }
  const names = new Map(balancers.map((lb) => [lb.id, lb.name]));
  const label = (id: string) => `${names.get(id) || id} (${id})`;
  const inPlan = new Set(planned.map((a) => attachmentKey(a)));
  return attachmentsOf(serverId, balancers)
    .filter((a) => a.weight > 0 && !inPlan.has(keyOf(a)))
    .map((a) => `${attachmentPlace(a, label)} at ${a.weight} (not in the plan)`);
}

/** The run state's name of a surveyed attachment; a master-slave group is never planned. */
function keyOf(a: Attachment): string {
  if (a.kind !== 'master-slave') return attachmentKey(a);
  return `${a.loadBalancerId}/${a.masterSlaveGroupId}:${a.port} (master-slave)`;
}
