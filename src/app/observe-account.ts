/**
 * What a rehearsal copies from the real account, read-only: the workflow's own observation (its
 * balancer with listeners, health checks, backends and weights, tags; its instances; its DNS
 * record, TTL and the zone's minimum TTL) plus what a faithful copy needs beyond it — the
 * balancer's vServer groups and every server attached anywhere on it. Describe* calls only.
 *
 * Kernels are not read: the running kernel is known only inside the server (`uname -r` through
 * Cloud Assistant is a RunCommand, which creates an invocation in the account), so the mirror
 * takes the OS name from DescribeInstances and gives every server the emulator's kernel.
 */
import type { ObservedInventory } from '../plan/types.js';
import type { InstanceInfo, ServerAttachments, VServerGroupInfo } from '../ports/index.js';
import type { InventoryPorts } from './observe-inventory.js';

export interface AccountObservation {
  inventory: ObservedInventory;
  /** The balancer's vServer groups with their members and weights. */
  vServerGroups: VServerGroupInfo[];
  /** Every instance the workflow selects, then every other one attached to the balancer. */
  instances: InstanceInfo[];
}

/** DescribeInstances takes at most 100 ids per call. */
const DESCRIBE_BATCH = 100;

export async function observeAccount(
  inventory: ObservedInventory,
  ports: InventoryPorts & { attachments: ServerAttachments },
): Promise<AccountObservation> {
  const balancer = inventory.loadBalancer;
  const vServerGroups =
    balancer === undefined ? [] : await ports.attachments.vServerGroups(balancer.id);
  const known = new Set(inventory.instances.map((instance) => instance.id));
  const attached = [
    ...(balancer?.backends ?? []).map((backend) => backend.serverId),
    ...vServerGroups.flatMap((group) => group.members.map((member) => member.serverId)),
  ].filter((id) => !known.has(id));
  const missing = [...new Set(attached)];
  const described: InstanceInfo[] = [];
  for (let start = 0; start < missing.length; start += DESCRIBE_BATCH) {
    described.push(...(await ports.host.describe(missing.slice(start, start + DESCRIBE_BATCH))));
  }
  return { inventory, vServerGroups, instances: [...inventory.instances, ...described] };
}
