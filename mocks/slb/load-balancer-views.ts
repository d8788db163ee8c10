/**
 * Response shapes of DescribeLoadBalancers items and DescribeLoadBalancerAttribute, names and
 * types as the SDK models declare them (ListenerPortsAndProtocal with the API's own typo too).
 */
import { isoSeconds } from '../emulator/ids.js';
import type { LoadBalancer } from './store.js';

export function tagsView(tags: Map<string, string>): {
  Tag: { TagKey: string; TagValue: string }[];
} {
  return { Tag: [...tags].map(([TagKey, TagValue]) => ({ TagKey, TagValue })) };
}

export function summaryView(loadBalancer: LoadBalancer): Record<string, unknown> {
  return {
    LoadBalancerId: loadBalancer.id,
    LoadBalancerName: loadBalancer.name,
    LoadBalancerStatus: loadBalancer.status,
    Address: loadBalancer.address,
    AddressType: loadBalancer.addressType,
    AddressIPVersion: 'ipv4',
    NetworkType: loadBalancer.networkType,
    RegionId: loadBalancer.regionId,
    RegionIdAlias: loadBalancer.regionId.replace(/^cn-/, ''),
    VpcId: loadBalancer.vpcId,
    VSwitchId: loadBalancer.vSwitchId,
    MasterZoneId: loadBalancer.masterZoneId,
    SlaveZoneId: loadBalancer.slaveZoneId,
    CreateTime: isoSeconds(loadBalancer.createdAt),
    CreateTimeStamp: loadBalancer.createdAt,
    PayType: 'PayOnDemand',
    InternetChargeType: loadBalancer.internetChargeType,
    ...(loadBalancer.bandwidth > 0 ? { Bandwidth: loadBalancer.bandwidth } : {}),
    LoadBalancerSpec: loadBalancer.spec,
    DeleteProtection: loadBalancer.deleteProtection,
    ResourceGroupId: loadBalancer.resourceGroupId,
    Tags: tagsView(loadBalancer.tags),
  };
}

export function attributeView(
  loadBalancer: LoadBalancer,
  serverIp: (id: string) => string | undefined,
): Record<string, unknown> {
  const listeners = [...loadBalancer.listeners.values()].sort((a, b) => a.port - b.port);
  return {
    ...summaryView(loadBalancer),
    ModificationProtectionStatus: 'NonProtection',
    ListenerPorts: { ListenerPort: listeners.map((listener) => listener.port) },
    ListenerPortsAndProtocal: {
      ListenerPortAndProtocal: listeners.map((listener) => ({
        ListenerPort: listener.port,
        ListenerProtocal: listener.protocol,
      })),
    },
    ListenerPortsAndProtocol: {
      ListenerPortAndProtocol: listeners.map((listener) => ({
        ListenerPort: listener.port,
        ListenerProtocol: listener.protocol,
        ...(listener.description ? { Description: listener.description } : {}),
      })),
    },
    BackendServers: {
      BackendServer: [...loadBalancer.backends.values()].map((server) => ({
        ServerId: server.serverId,
        ServerIp: serverIp(server.serverId) ?? '',
        Type: server.type,
        Weight: server.weight,
        ...(server.description ? { Description: server.description } : {}),
      })),
    },
  };
}
