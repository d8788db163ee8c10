/**
 * SLB's answers → the LoadBalancer port's types. Pure.
 */
import type {
  BackendHealth,
  BackendHealthStatus,
  BackendServer,
  ListenerProtocol,
  LoadBalancerInfo,
  LoadBalancerStatus,
} from '../../../ports/index.js';
import type { SlbBackendServer, SlbHealthStatus, SlbLoadBalancerAttribute } from './slb-wire.js';

const PROTOCOLS: readonly ListenerProtocol[] = ['tcp', 'udp', 'http', 'https'];

export function toLoadBalancerInfo(
  attr: SlbLoadBalancerAttribute,
  region: string,
): LoadBalancerInfo {
  const info: LoadBalancerInfo = {
    id: attr.loadBalancerId,
    name: attr.name,
    address: attr.address,
    addressType: attr.addressType === 'intranet' ? 'intranet' : 'internet',
    status: statusOf(attr.status),
    regionId: attr.regionId ?? region,
    tags: attr.tags,
    listeners: attr.listeners
      .filter((l): l is { port: number; protocol: ListenerProtocol } =>
        PROTOCOLS.includes(l.protocol as ListenerProtocol),
      )
      .sort((a, b) => a.port - b.port),
    backends: attr.backendServers.map(toBackendServer),
  };
  if (attr.networkType !== undefined) info.networkType = attr.networkType;
  if (attr.vpcId) info.vpcId = attr.vpcId;
  if (attr.createTime !== undefined) info.createTime = attr.createTime;
  return info;
}

export function toBackendServer(server: SlbBackendServer): BackendServer {
  const out: BackendServer = {
    serverId: server.serverId,
    weight: server.weight,
    type: server.type,
  };
  if (server.serverIp !== undefined) out.serverIp = server.serverIp;
  if (server.port !== undefined) out.port = server.port;
  if (server.description !== undefined) out.description = server.description;
  return out;
}

export function toHealthStatus(
  status: SlbHealthStatus,
  requestedPort: number | undefined,
): BackendHealthStatus {
  const out: BackendHealthStatus = {
    serverId: status.serverId,
    port: status.port ?? 0,
    listenerPort: status.listenerPort ?? requestedPort ?? 0,
    protocol: PROTOCOLS.includes(status.protocol as ListenerProtocol)
      ? (status.protocol as ListenerProtocol)
      : 'tcp',
    health: healthOf(status.health),
  };
  if (status.serverIp !== undefined) out.serverIp = status.serverIp;
  return out;
}

/** Anything the port does not know is "not checked", never "normal": gates fail closed. */
function healthOf(value: string | undefined): BackendHealth {
  return value === 'normal' || value === 'abnormal' ? value : 'unavailable';
}

function statusOf(value: string): LoadBalancerStatus {
  return value === 'active' || value === 'locked' ? value : 'inactive';
}

/** Split into batches of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
