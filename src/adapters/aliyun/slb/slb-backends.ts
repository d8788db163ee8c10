/**
 * Backend servers of a balancer: add, set weights, remove — batched by the API's limit of 20
 * servers per call, each batch safe to repeat (what is already in place is skipped; a failed
 * batch is checked against the live list before its error is believed).
 */
import { DrainctlError } from '../../../errors/index.js';
import type { BackendServer, BackendWeight } from '../../../ports/index.js';
import { mutateThenVerify } from './mutate-then-verify.js';
import { type BackendServerParam, MAX_BACKENDS_PER_CALL, type SlbClient } from './slb-client.js';
import { chunk, toBackendServer } from './slb-mapping.js';

export class SlbBackends {
  constructor(private readonly client: SlbClient) {}

  async list(loadBalancerId: string): Promise<BackendServer[]> {
    const attr = await this.client.describeLoadBalancerAttribute(loadBalancerId);
    return attr.backendServers.map(toBackendServer);
  }

  /** Attaches the missing ones; attached ones with another weight get that weight. */
  async add(loadBalancerId: string, backends: BackendWeight[]): Promise<void> {
    const wanted = dedupe(backends);
    const attached = byId(await this.list(loadBalancerId));
    const missing = wanted.filter((b) => !attached.has(b.serverId));
    const reweigh = wanted
      .filter((b) => {
        const live = attached.get(b.serverId);
        return live !== undefined && live.weight !== b.weight;
      })
      .map((b) => asAttached(b, attached.get(b.serverId)));
    for (const batch of chunk(missing, MAX_BACKENDS_PER_CALL)) {
      await mutateThenVerify(
        () => this.client.addBackendServers(loadBalancerId, batch.map(toParam)),
        async () => {
          const now = byId(await this.list(loadBalancerId));
          return batch.every((b) => now.has(b.serverId));
        },
      );
    }
    await this.setBatches(loadBalancerId, reweigh);
  }

  /** Weights of attached backends only: an unattached one is an error before anything changes. */
  async setWeights(loadBalancerId: string, weights: BackendWeight[]): Promise<void> {
    const wanted = dedupe(weights);
    const attached = byId(await this.list(loadBalancerId));
    const unattached = wanted.filter((w) => !attached.has(w.serverId)).map((w) => w.serverId);
    if (unattached.length > 0) {
      throw new DrainctlError(
        'BACKEND_NOT_ATTACHED',
        `cannot set the weight of ${unattached.join(', ')}: not attached to load balancer ${loadBalancerId}`,
        { hint: 'add the backend first (lb.add-backends), or fix the server id in the workflow' },
      );
    }
    await this.setBatches(
      loadBalancerId,
      wanted.map((w) => asAttached(w, attached.get(w.serverId))),
    );
  }

  /** Detaches the attached ones among `serverIds`; the others are already gone. */
  async remove(loadBalancerId: string, serverIds: string[]): Promise<void> {
    const attached = byId(await this.list(loadBalancerId));
    const present = [...new Set(serverIds)].filter((id) => attached.has(id));
    for (const batch of chunk(present, MAX_BACKENDS_PER_CALL)) {
      await mutateThenVerify(
        () =>
          this.client.removeBackendServers(
            loadBalancerId,
            batch.map((serverId) => {
              const server = attached.get(serverId);
              return {
                serverId,
                type: attachedType(server),
                ...(server?.serverIp === undefined ? {} : { serverIp: server.serverIp }),
              };
            }),
          ),
        async () => {
          const now = byId(await this.list(loadBalancerId));
          return batch.every((id) => !now.has(id));
        },
      );
    }
  }

  private async setBatches(loadBalancerId: string, weights: BackendWeight[]): Promise<void> {
    for (const batch of chunk(weights, MAX_BACKENDS_PER_CALL)) {
      await this.client.setBackendServers(loadBalancerId, batch.map(toParam));
    }
  }
}

/**
 * A change to an attached server names it as the balancer knows it: its own type (an ENI is not
 * an ECS instance) and IP, unless the caller says otherwise.
 */
function asAttached(wanted: BackendWeight, live: BackendServer | undefined): BackendWeight {
  const serverIp = wanted.serverIp ?? live?.serverIp;
  return {
    ...wanted,
    type: wanted.type ?? attachedType(live),
    ...(serverIp === undefined ? {} : { serverIp }),
  };
}

function toParam(b: BackendWeight): BackendServerParam {
  const param: BackendServerParam = { serverId: b.serverId, weight: b.weight };
  if (b.type !== undefined) param.type = b.type;
  if (b.serverIp !== undefined) param.serverIp = b.serverIp;
  if (b.port !== undefined) param.port = b.port;
  if (b.description !== undefined) param.description = b.description;
  return param;
}

/** The first mention of a server wins, as the API itself does within one request. */
function dedupe(backends: BackendWeight[]): BackendWeight[] {
  const seen = new Set<string>();
  return backends.filter((b) => !seen.has(b.serverId) && seen.add(b.serverId));
}

function byId(servers: BackendServer[]): Map<string, BackendServer> {
  return new Map(servers.map((s) => [s.serverId, s]));
}

function attachedType(server: BackendServer | undefined): 'ecs' | 'eni' | 'eci' {
  return server?.type === 'eni' || server?.type === 'eci' ? server.type : 'ecs';
}
