/**
 * The balancers a topology says exist at start (listed ones, a generated fleet's): put into the
 * SLB store as if created through the API — active, no listeners — with their default server
 * group and vServer groups. Again after every reset, like the topology's instances.
 */
import type { AddressPlan } from '../emulator/addresses.js';
import type { Topology } from '../topology/schema.js';
import type { SlbStore } from './store.js';

export function addTopologyBalancers(
  topology: Topology,
  slb: SlbStore,
  addresses: AddressPlan,
  now: number,
): void {
  for (const balancer of topology.balancers) {
    slb.loadBalancers.set(balancer.id, {
      id: balancer.id,
      name: balancer.name,
      address: addresses.allocateLoadBalancer(),
      addressType: balancer.addressType ?? 'intranet',
      networkType: 'classic',
      vpcId: '',
      vSwitchId: '',
      spec: 'slb.s2.small',
      regionId: topology.region,
      masterZoneId: topology.zone,
      slaveZoneId: topology.zone,
      createdAt: now,
      status: 'active',
      internetChargeType: 'paybytraffic',
      bandwidth: 0,
      deleteProtection: 'off',
      resourceGroupId: 'rg-emulator-default',
      tags: new Map(Object.entries(balancer.tags)),
      backends: new Map(
        balancer.backends.map((server) => [
          server.serverId,
          { serverId: server.serverId, weight: server.weight, type: 'ecs', description: '' },
        ]),
      ),
      listeners: new Map(),
      busyUntil: 0,
    });
    for (const group of balancer.vServerGroups) {
      slb.vServerGroups.set(group.id, {
        id: group.id,
        name: group.name,
        loadBalancerId: balancer.id,
        createdAt: now,
        servers: group.servers.map((server) => ({
          ...server,
          type: 'ecs',
          description: '',
        })),
      });
    }
  }
}
