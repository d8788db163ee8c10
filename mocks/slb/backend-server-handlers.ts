/**
 * Add/Set/RemoveBackendServers on a balancer's default server group. Each answers with the
 * balancer's whole list afterwards; Weight is a *string* in the Add/Set responses and a number in
 * the Remove response, as the real API (and its SDK models) have it.
 */
import type { EmulatorContext } from '../emulator/context.js';
import type { Params } from '../server/params.js';
import type { Handler } from '../server/product.js';
import { parseBackendServers } from './backend-server-params.js';
import { assertSettled, markConfiguring } from './configuring.js';
import { BackendServerAlreadyAttached, BackendServerNotAttached, ObtainIpFail } from './errors.js';
import type { LoadBalancer } from './store.js';

function listView(
  loadBalancer: LoadBalancer,
  weightAs: 'string' | 'number',
): Record<string, unknown> {
  return {
    LoadBalancerId: loadBalancer.id,
    BackendServers: {
      BackendServer: [...loadBalancer.backends.values()].map((server) => ({
        ServerId: server.serverId,
        Weight: weightAs === 'string' ? String(server.weight) : server.weight,
        Type: server.type,
        ...(server.description ? { Description: server.description } : {}),
      })),
    },
  };
}

const AddBackendServers: Handler<EmulatorContext> = ({ params, ctx }) => {
  const loadBalancer = ctx.slb.get(params.required('LoadBalancerId'));
  const servers = parseBackendServers(params);
  assertSettled(loadBalancer, ctx);
  for (const server of servers) {
    if (server.type !== 'ecs' || ctx.ecs.status(server.serverId) !== 'Running')
      throw new ObtainIpFail();
    if (loadBalancer.backends.has(server.serverId))
      throw new BackendServerAlreadyAttached(server.serverId);
  }
  for (const server of servers) {
    loadBalancer.backends.set(server.serverId, {
      serverId: server.serverId,
      weight: server.weight,
      type: server.type,
      description: server.description ?? '',
    });
  }
  markConfiguring(loadBalancer, ctx);
  return listView(loadBalancer, 'string');
};

const SetBackendServers: Handler<EmulatorContext> = ({ params, ctx }) => {
  const loadBalancer = ctx.slb.get(params.required('LoadBalancerId'));
  const servers = attachedServers(loadBalancer, params, ctx);
  for (const server of servers) {
    const current = loadBalancer.backends.get(server.serverId);
    if (!current) continue;
    current.weight = server.weight;
    if (server.description !== undefined) current.description = server.description;
  }
  markConfiguring(loadBalancer, ctx);
  return listView(loadBalancer, 'string');
};

const RemoveBackendServers: Handler<EmulatorContext> = ({ params, ctx }) => {
  const loadBalancer = ctx.slb.get(params.required('LoadBalancerId'));
  const servers = attachedServers(loadBalancer, params, ctx);
  for (const server of servers) loadBalancer.backends.delete(server.serverId);
  markConfiguring(loadBalancer, ctx);
  return listView(loadBalancer, 'number');
};

export const backendServerHandlers: Record<string, Handler<EmulatorContext>> = {
  AddBackendServers,
  SetBackendServers,
  RemoveBackendServers,
};

/** The servers a request names, once the balancer is settled and every one of them is attached. */
function attachedServers(
  loadBalancer: LoadBalancer,
  params: Params,
  ctx: EmulatorContext,
): ReturnType<typeof parseBackendServers> {
  const servers = parseBackendServers(params);
  assertSettled(loadBalancer, ctx);
  for (const server of servers) {
    if (!loadBalancer.backends.has(server.serverId))
      throw new BackendServerNotAttached(server.serverId);
  }
  return servers;
}
