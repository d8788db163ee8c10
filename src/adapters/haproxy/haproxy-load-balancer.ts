/**
 * The LoadBalancer port on one HAProxy backend through the runtime API. Weight 0 is `state
 * drain` (no new sessions, open ones finish), then `state maint` once the server's open sessions
 * (`scur`) reach 0 — maint also stops health checks, so a rebooting server raises no alarms and
 * sticky sessions cannot reach it; a server still holding sessions after `maintAfterMs` stays in
 * drain, still out of new traffic, and the run's drain probe judges it. A weight above 0 is
 * `set weight` then `state ready`. Runtime changes last until HAProxy reloads its configuration,
 * which holds the weights the run restores to.
 */
import { pollUntil } from '../../clock/poll-until.js';
import { DrainctlError } from '../../errors/index.js';
import type {
  BackendHealth,
  BackendServer,
  BackendWeight,
  Clock,
  LoadBalancer,
} from '../../ports/index.js';
import { type SelfRunTagStore, selfRunLoadBalancer } from '../self-run-balancer.js';
import {
  type RuntimeApi,
  runtimeSet,
  type ServerStat,
  serverStats,
  serverWeight,
} from './runtime-api.js';

export interface HaproxyLoadBalancerOptions {
  /** The name the run knows this balancer by (the plan's load balancer id). */
  id: string;
  /** Where it is, for messages: the socket path, `ssh://…`. */
  where: string;
  backend: string;
  /** Run's server id → HAProxy server name in `backend`. */
  servers: Record<string, string>;
  api: RuntimeApi;
  clock: Clock;
  /** How long a drained server may keep open sessions before it is left in drain (not maint). */
  maintAfterMs: number;
  /** Where the run's lock and saved weights are kept (HAProxy has no tags). */
  tags?: SelfRunTagStore;
}

function notSupported(what: string): never {
  throw new DrainctlError('NOT_SUPPORTED', `an HAProxy backend has no ${what} drainctl changes`, {
    hint: 'drainctl changes the state and weight of the servers already in the backend',
  });
}

function health(status: string): BackendHealth {
  if (status.startsWith('UP')) return 'normal';
  if (status.startsWith('DOWN')) return 'abnormal';
  return 'unavailable';
}

/** Out of service by drainctl's (or anyone's) hand: no new traffic reaches it. */
export function isOutOfService(stat: Pick<ServerStat, 'status'>): boolean {
  return /^(MAINT|DRAIN)/.test(stat.status);
}

export function createHaproxyLoadBalancer(options: HaproxyLoadBalancerOptions): LoadBalancer {
  const { api, backend } = options;
  const checkId = (id: string) => {
    if (id !== options.id) {
      throw new DrainctlError('LOAD_BALANCER_NOT_FOUND', `no HAProxy backend group ${id}`);
    }
  };
  const nameOf = (serverId: string) => {
    const name = options.servers[serverId];
    if (name === undefined) {
      throw new DrainctlError(
        'BACKEND_NOT_ATTACHED',
        `${serverId} is not mapped to a server of HAProxy backend ${backend}`,
      );
    }
    return name;
  };
  const rows = async () => {
    const stats = await serverStats(api, backend);
    return Object.entries(options.servers).map(([serverId, name]) => {
      const row = stats.find((s) => s.server === name);
      if (row === undefined) {
        throw new DrainctlError(
          'BACKEND_NOT_FOUND',
          `HAProxy at ${options.where} has no server ${backend}/${name} (for ${serverId})`,
        );
      }
      return { serverId, row };
    });
  };

  const listBackends = async (id: string): Promise<BackendServer[]> => {
    checkId(id);
    const servers: BackendServer[] = [];
    for (const { serverId, row } of await rows()) {
      const weight = isOutOfService(row)
        ? 0
        : (await serverWeight(api, backend, row.server)).current;
      servers.push({ serverId, weight, type: 'haproxy', description: `${backend}/${row.server}` });
    }
    return servers;
  };

  const drain = async (name: string) => {
    await runtimeSet(api, `set server ${backend}/${name} state drain`);
    const idle = await pollUntil(
      options.clock,
      { intervalMs: 200, timeoutMs: options.maintAfterMs },
      async () => {
        const row = (await serverStats(api, backend)).find((s) => s.server === name);
        return row !== undefined && row.scur === 0 ? true : undefined;
      },
    );
    if (idle) await runtimeSet(api, `set server ${backend}/${name} state maint`);
  };

  const setBackendWeights = async (id: string, weights: BackendWeight[]) => {
    checkId(id);
    // Every server is named before any is changed: one unknown server changes nothing.
    const named = weights.map(({ serverId, weight }) => ({ name: nameOf(serverId), weight }));
    for (const { name, weight } of named) {
      if (weight === 0) {
        await drain(name);
      } else {
        await runtimeSet(api, `set weight ${backend}/${name} ${weight}`);
        await runtimeSet(api, `set server ${backend}/${name} state ready`);
      }
    }
  };

  return selfRunLoadBalancer({
    name: backend,
    address: options.where,
    listBackends,
    setBackendWeights,
    /** HAProxy's own checks: UP is normal, DOWN abnormal, anything else not judged. */
    healthStatus: async (id: string) => {
      checkId(id);
      return (await rows()).map(({ serverId, row }) => ({
        serverId,
        port: 0,
        listenerPort: 0,
        protocol: 'http' as const,
        health: health(row.status),
      }));
    },
    notSupported,
    ...(options.tags === undefined ? {} : { tags: options.tags }),
  });
}
