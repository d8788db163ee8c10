/**
 * Observations of the live world for planner tests, shaped like the emulator's default topology
 * (four instances web-1…web-4 tagged app=web, env=demo; www.example.com → web-1, TTL 10).
 */
import type { ObservedInventory } from '#src/plan/index.js';
import type { BackendHealth, InstanceInfo, Listener, LoadBalancerInfo } from '#src/ports/index.js';

export const NET = '127.0.5';
export const OBSERVED_AT = '2026-11-21T02:00:00.000Z';

export function instance(n: number, overrides: Partial<InstanceInfo> = {}): InstanceInfo {
  return {
    id: `i-emu-web-${n}`,
    name: `web-${n}`,
    status: 'Running',
    privateIp: `${NET}.${10 + n}`,
    osName: 'CentOS 7.9 64 bit',
    tags: { app: 'web', env: 'demo' },
    ...overrides,
  };
}

export function fleet(count: number): InstanceInfo[] {
  return Array.from({ length: count }, (_, index) => instance(index + 1));
}

/** The emulator before the seed's migration: no balancer, DNS on web-1. */
export function emulatorWorld(overrides: Partial<ObservedInventory> = {}): ObservedInventory {
  return {
    observedAt: OBSERVED_AT,
    region: 'cn-hangzhou',
    instances: fleet(4),
    dns: {
      record: {
        recordId: 'rec-1',
        domain: 'example.com',
        rr: 'www',
        type: 'A',
        value: `${NET}.11`,
        ttl: 10,
        line: 'default',
        status: 'ENABLE',
        locked: false,
      },
      minimumTtl: 1,
      nameServers: [`${NET}.53:5353`],
    },
    ...overrides,
  };
}

export const SEED_LISTENER: Listener = {
  protocol: 'tcp',
  port: 8080,
  backendPort: 8080,
  scheduler: 'wrr',
  bandwidth: -1,
  status: 'running',
  healthCheck: {
    enabled: true,
    type: 'http',
    uri: '/healthz',
    method: 'head',
    httpCodes: ['http_2xx', 'http_3xx'],
    intervalSeconds: 2,
    timeoutSeconds: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 2,
  },
};

export interface BackendState {
  id: string;
  weight: number;
  health?: BackendHealth;
}

/** A balancer with backends, their weights and their health on one listener. */
export function balancer(
  backends: readonly BackendState[],
  overrides: Partial<LoadBalancerInfo> & { listenerDetails?: Listener[] } = {},
): NonNullable<ObservedInventory['loadBalancer']> {
  const listenerDetails = overrides.listenerDetails ?? [SEED_LISTENER];
  return {
    id: 'lb-emu-1',
    name: 'web-slb',
    address: `${NET}.101`,
    addressType: 'internet',
    status: 'active',
    regionId: 'cn-hangzhou',
    tags: { app: 'web', 'managed-by': 'drainctl' },
    listeners: listenerDetails.map((listener) => ({
      port: listener.port,
      protocol: listener.protocol,
    })),
    backends: backends.map((backend) => ({
      serverId: backend.id,
      weight: backend.weight,
      type: 'ecs',
    })),
    ...overrides,
    listenerDetails,
    health: backends.map((backend) => ({
      serverId: backend.id,
      port: 8080,
      listenerPort: 8080,
      protocol: 'tcp' as const,
      health: backend.health ?? 'normal',
    })),
  };
}

/** The world after a complete first run of kernel-patch.yaml. */
export function afterSeedRun(): ObservedInventory {
  const world = emulatorWorld({
    loadBalancer: balancer([
      { id: 'i-emu-web-1', weight: 100 },
      { id: 'i-emu-web-2', weight: 100 },
    ]),
  });
  const record = world.dns?.record;
  if (record) Object.assign(record, { value: `${NET}.101`, ttl: 10 });
  return world;
}
