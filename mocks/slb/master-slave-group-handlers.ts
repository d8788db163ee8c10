/**
 * Master-slave (primary/secondary) server groups: two servers, one Master that takes the traffic
 * and one Slave that takes it only while the Master fails its health check. The real API has no
 * action that changes a group once created (Create, Describe, DescribeAttribute, Delete only), so
 * neither has the emulator. Listeners of the emulator do not forward to these groups: they exist
 * so that discovery meets them as it would in the cloud.
 */
import type { EmulatorContext } from '../emulator/context.js';
import { isoSeconds, randomId } from '../emulator/ids.js';
import { InvalidParameter } from '../server/api-error.js';
import type { Handler } from '../server/product.js';
import { parseBackendServers } from './backend-server-params.js';
import { assertSettled } from './configuring.js';
import { ObtainIpFail } from './errors.js';
import type { MasterSlaveServerGroup } from './store.js';

const SERVER_TYPES = ['Master', 'Slave'] as const;

/** ServerType of each entry, in order (absent: Master, as the real default). */
function serverTypes(raw: string): Array<'Master' | 'Slave'> {
  const entries = JSON.parse(raw) as Array<Record<string, unknown>>;
  return entries.map((entry) => {
    const value = entry.ServerType ?? 'Master';
    if (!SERVER_TYPES.includes(value as 'Master')) {
      throw new InvalidParameter(
        'MasterSlaveBackendServers',
        'ServerType must be Master or Slave.',
      );
    }
    return value as 'Master' | 'Slave';
  });
}

const CreateMasterSlaveServerGroup: Handler<EmulatorContext> = ({ params, ctx }) => {
  const loadBalancer = ctx.slb.get(params.required('LoadBalancerId'));
  const raw = params.string('MasterSlaveBackendServers');
  const servers = raw
    ? parseBackendServers(params, { name: 'MasterSlaveBackendServers', requirePort: true })
    : [];
  const types = raw ? serverTypes(raw) : [];
  if (servers.length > 2) {
    throw new InvalidParameter(
      'MasterSlaveBackendServers',
      'A master-slave server group holds at most two servers.',
    );
  }
  for (const server of servers) {
    if (server.type !== 'ecs' || ctx.ecs.status(server.serverId) !== 'Running')
      throw new ObtainIpFail();
  }
  assertSettled(loadBalancer, ctx);
  const group: MasterSlaveServerGroup = {
    id: randomId('rsp-', 10),
    name: params.string('MasterSlaveServerGroupName') ?? '',
    loadBalancerId: loadBalancer.id,
    createdAt: ctx.now(),
    servers: servers.map((server, index) => ({
      serverId: server.serverId,
      port: server.port ?? 0,
      weight: server.weight,
      type: server.type,
      description: server.description ?? '',
      serverType: types[index] ?? 'Master',
    })),
  };
  ctx.slb.masterSlaveGroups.set(group.id, group);
  return { MasterSlaveServerGroupId: group.id, MasterSlaveBackendServers: serversView(group) };
};

function serversView(group: MasterSlaveServerGroup) {
  return {
    MasterSlaveBackendServer: group.servers.map((server) => ({
      ServerId: server.serverId,
      Port: server.port,
      Weight: server.weight,
      Type: server.type,
      ServerType: server.serverType,
      ...(server.description ? { Description: server.description } : {}),
    })),
  };
}

const DescribeMasterSlaveServerGroupAttribute: Handler<EmulatorContext> = ({ params, ctx }) => {
  const group = ctx.slb.masterSlaveGroup(params.required('MasterSlaveServerGroupId'));
  return {
    MasterSlaveServerGroupId: group.id,
    MasterSlaveServerGroupName: group.name,
    LoadBalancerId: group.loadBalancerId,
    CreateTime: isoSeconds(group.createdAt),
    MasterSlaveBackendServers: serversView(group),
    Tags: { Tag: [] },
  };
};

const DescribeMasterSlaveServerGroups: Handler<EmulatorContext> = ({ params, ctx }) => {
  const loadBalancer = ctx.slb.get(params.required('LoadBalancerId'));
  const groups = [...ctx.slb.masterSlaveGroups.values()].filter(
    (group) => group.loadBalancerId === loadBalancer.id,
  );
  return {
    MasterSlaveServerGroups: {
      MasterSlaveServerGroup: groups.map((group) => ({
        MasterSlaveServerGroupId: group.id,
        MasterSlaveServerGroupName: group.name,
        CreateTime: isoSeconds(group.createdAt),
      })),
    },
  };
};

const DeleteMasterSlaveServerGroup: Handler<EmulatorContext> = ({ params, ctx }) => {
  const group = ctx.slb.masterSlaveGroup(params.required('MasterSlaveServerGroupId'));
  ctx.slb.masterSlaveGroups.delete(group.id);
  return {};
};

export const masterSlaveGroupHandlers: Record<string, Handler<EmulatorContext>> = {
  CreateMasterSlaveServerGroup,
  DescribeMasterSlaveServerGroupAttribute,
  DescribeMasterSlaveServerGroups,
  DeleteMasterSlaveServerGroup,
};
