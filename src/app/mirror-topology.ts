/**
 * The emulator topology that mirrors an observed account: the same instance ids, names, tags and
 * OS; the balancer with its id, name, address type, tags, default-group weights and vServer
 * groups; the DNS record with its id, value and TTL, in a zone whose edition has the observed
 * minimum TTL. Listeners are not part of a topology: the rehearsal creates them through the
 * mirror's API with the observed settings (`mirrorListeners`). Addresses cannot be copied (the
 * mirror lives on loopback): `addressMap` pairs the mirror's with the real ones afterwards.
 */
import type { EmulatorState, TopologyInput } from '../../mocks/index.js';
import type { Listener, ListenerConfig } from '../ports/index.js';
import type { AccountObservation } from './observe-account.js';

/** The smallest edition whose minimum TTL admits the observed one (docs/emulator.md). */
function editionFor(minimumTtl: number): 'free' | 'enterprise' | 'ultimate' {
  if (minimumTtl >= 600) return 'free';
  if (minimumTtl >= 60) return 'enterprise';
  return 'ultimate';
}

export function mirrorTopology(observation: AccountObservation, domain?: string): TopologyInput {
  const { inventory, vServerGroups, instances } = observation;
  const balancer = inventory.loadBalancer;
  const byIp = new Map(
    instances.flatMap((instance) =>
      instance.privateIp === undefined ? [] : [[instance.privateIp, instance.id] as const],
    ),
  );
  const firstListener = balancer?.listenerDetails[0];
  const record = inventory.dns?.record;
  const recordInstance = record === undefined ? undefined : byIp.get(record.value);
  return {
    region: inventory.region,
    ...(instances[0]?.zoneId === undefined ? {} : { zone: instances[0].zoneId }),
    appPort: firstListener?.backendPort ?? 8080,
    instances: instances.map((instance) => ({
      id: instance.id,
      name: instance.name,
      hostname: instance.name,
      ...(instance.osName === undefined ? {} : { osName: instance.osName }),
      ...(instance.zoneId === undefined ? {} : { zone: instance.zoneId }),
      tags: instance.tags,
    })),
    balancers:
      balancer === undefined
        ? []
        : [
            {
              id: balancer.id,
              name: balancer.name,
              addressType: balancer.addressType,
              tags: balancer.tags,
              backends: balancer.backends
                .filter((backend) => (backend.type ?? 'ecs') === 'ecs')
                .map((backend) => ({ serverId: backend.serverId, weight: backend.weight })),
              vServerGroups: vServerGroups.map((group) => ({
                id: group.id,
                name: group.name,
                servers: group.members.map((member) => ({
                  serverId: member.serverId,
                  port: member.port,
                  weight: member.weight,
                })),
              })),
            },
          ],
    domains:
      inventory.dns === undefined || domain === undefined
        ? []
        : [
            {
              name: domain,
              edition: editionFor(inventory.dns.minimumTtl),
              records:
                record === undefined
                  ? []
                  : [
                      {
                        rr: record.rr,
                        type: record.type as 'A',
                        ...(recordInstance === undefined
                          ? { value: record.value }
                          : { instance: recordInstance }),
                        ttl: record.ttl,
                        line: record.line,
                        recordId: record.recordId,
                      },
                    ],
            },
          ],
  };
}

/** The observed listeners as the mirror creates them, with whether each was running. */
export function mirrorListeners(
  observation: AccountObservation,
): Array<{ config: ListenerConfig; running: boolean }> {
  return (observation.inventory.loadBalancer?.listenerDetails ?? []).map(
    ({ status, ...config }: Listener) => ({ config, running: status === 'running' }),
  );
}

/**
 * Mirror address → real address: each instance's private IP by id, the balancer's address, and
 * the DNS server the mirror lists as the zone's name server.
 */
export function addressMap(
  observation: AccountObservation,
  mirror: EmulatorState,
): Map<string, string> {
  const map = new Map<string, string>();
  const real = new Map(observation.instances.map((instance) => [instance.id, instance]));
  for (const instance of mirror.instances) {
    const privateIp = real.get(instance.id)?.privateIp;
    if (privateIp !== undefined) map.set(instance.privateIp, privateIp);
  }
  const balancer = observation.inventory.loadBalancer;
  const mirrored = mirror.loadBalancers.find((lb) => lb.id === balancer?.id);
  if (balancer !== undefined && mirrored !== undefined) map.set(mirrored.address, balancer.address);
  return map;
}

/**
 * The mirror's observation in the real account's addresses: every string that is a mirror
 * address becomes the real one, and the zone's name servers are the real account's. What is
 * left different is a real difference between the two worlds.
 */
export function inRealAddresses<T>(
  value: T,
  map: ReadonlyMap<string, string>,
  nameServers?: readonly string[],
): T {
  const walk = (node: unknown, key?: string): unknown => {
    if (typeof node === 'string') return map.get(node) ?? node;
    if (Array.isArray(node)) {
      if (key === 'nameServers' && nameServers !== undefined) return [...nameServers];
      return node.map((item) => walk(item));
    }
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, k)]));
    }
    return node;
  };
  return walk(value) as T;
}
