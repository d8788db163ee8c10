/**
 * vServer groups: servers with their own ports, used by listeners created with VServerGroupId.
 * SetVServerGroupAttribute changes the name and the weights of servers already in the group only.
 */
import type { EmulatorContext } from '../emulator/context.js';
import { isoSeconds, randomId } from '../emulator/ids.js';
import { ApiError, InvalidParameter } from '../server/api-error.js';
import type { Handler } from '../server/product.js';
import { parseBackendServers } from './backend-server-params.js';
import { assertSettled, markConfiguring } from './configuring.js';
import { ObtainIpFail } from './errors.js';
import type { VServerGroup } from './store.js';

function serversView(group: VServerGroup, serverIp?: (id: string) => string | undefined) {
  return {
    BackendServer: group.servers.map((server) => ({
      ServerId: server.serverId,
      ...(serverIp ? { ServerIp: serverIp(server.serverId) ?? '' } : {}),
      Port: server.port,
      Weight: server.weight,
      Type: server.type,
      ...(server.description ? { Description: server.description } : {}),
    })),
  };
}

const CreateVServerGroup: Handler<EmulatorContext> = ({ params, ctx }) => {
  const loadBalancer = ctx.slb.get(params.required('LoadBalancerId'));
  const servers = params.string('BackendServers')
    ? parseBackendServers(params, { requirePort: true })
    : [];
  for (const server of servers) {
    if (server.type !== 'ecs' || ctx.ecs.status(server.serverId) !== 'Running')
      throw new ObtainIpFail();
  }
  assertSettled(loadBalancer, ctx);
  const group: VServerGroup = {
    id: randomId('rsp-', 10),
    name: params.string('VServerGroupName') ?? '',
    loadBalancerId: loadBalancer.id,
    createdAt: ctx.now(),
    servers: servers.map((server) => ({
      serverId: server.serverId,
      port: server.port ?? 0,
      weight: server.weight,
      type: server.type,
      description: server.description ?? '',
    })),
  };
  ctx.slb.vServerGroups.set(group.id, group);
  return { VServerGroupId: group.id, BackendServers: serversView(group) };
};

const DescribeVServerGroupAttribute: Handler<EmulatorContext> = ({ params, ctx }) => {
  const group = ctx.slb.vServerGroup(params.required('VServerGroupId'));
  return {
    VServerGroupId: group.id,
    VServerGroupName: group.name,
    LoadBalancerId: group.loadBalancerId,
    CreateTime: isoSeconds(group.createdAt),
    BackendServers: serversView(group, (id) => ctx.ecs.privateIp(id)),
    Tags: { Tag: [] },
  };
};

const SetVServerGroupAttribute: Handler<EmulatorContext> = ({ params, ctx }) => {
  const group = ctx.slb.vServerGroup(params.required('VServerGroupId'));
  const loadBalancer = ctx.slb.get(group.loadBalancerId);
  const servers = params.string('BackendServers')
    ? parseBackendServers(params, { requirePort: true })
    : [];
  assertSettled(loadBalancer, ctx);
  const targets = servers.map((server) => {
    const current = group.servers.find(
      (s) => s.serverId === server.serverId && s.port === server.port,
    );
    if (!current) {
      throw new InvalidParameter(
        'BackendServers',
        `${server.serverId}:${server.port} is not in the vServer group.`,
      );
    }
    return { current, server };
  });
  for (const { current, server } of targets) {
    current.weight = server.weight;
    if (server.description !== undefined) current.description = server.description;
  }
  const name = params.string('VServerGroupName');
  if (name !== undefined) group.name = name;
  if (servers.length > 0) markConfiguring(loadBalancer, ctx);
  return {
    VServerGroupId: group.id,
    VServerGroupName: group.name,
    BackendServers: serversView(group),
  };
};

const DescribeVServerGroups: Handler<EmulatorContext> = ({ params, ctx }) => {
  const loadBalancer = ctx.slb.get(params.required('LoadBalancerId'));
  const groups = [...ctx.slb.vServerGroups.values()].filter(
    (g) => g.loadBalancerId === loadBalancer.id,
  );
  return {
    VServerGroups: {
      VServerGroup: groups.map((group) => ({
        VServerGroupId: group.id,
        VServerGroupName: group.name,
        CreateTime: isoSeconds(group.createdAt),
        ServerCount: group.servers.length,
        AssociatedObjects: {
          Listeners: {
            Listener: [...loadBalancer.listeners.values()]
              .filter((listener) => listener.vServerGroupId === group.id)
              .map((listener) => ({ Port: listener.port, Protocol: listener.protocol })),
          },
          Rules: { Rule: [] },
        },
      })),
    },
  };
};

const DeleteVServerGroup: Handler<EmulatorContext> = ({ params, ctx }) => {
  const group = ctx.slb.vServerGroup(params.required('VServerGroupId'));
  const loadBalancer = ctx.slb.get(group.loadBalancerId);
  if (
    [...loadBalancer.listeners.values()].some((listener) => listener.vServerGroupId === group.id)
  ) {
    throw new ApiError('RspoolVipExist', 'there are vips associating with this vServer group.');
  }
  ctx.slb.vServerGroups.delete(group.id);
  return {};
};

export const vServerGroupHandlers: Record<string, Handler<EmulatorContext>> = {
  CreateVServerGroup,
  DescribeVServerGroupAttribute,
  SetVServerGroupAttribute,
  DescribeVServerGroups,
  DeleteVServerGroup,
};
