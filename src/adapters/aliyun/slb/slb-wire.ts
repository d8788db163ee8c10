/**
 * Response models of the SLB (CLB) 2014-05-15 actions drainctl calls, as zod schemas from the
 * wire (PascalCase, as the official SDK models name them) to our own camelCase types. Shapes
 * follow the slb-20140515 SDK models and docs/aliyun.md, "SLB requests and answers".
 */
import { z } from 'zod';
import { wireNumber, wireSwitch, wireTags, wrappedList } from '../transport/wire.js';

const requestId = { RequestId: z.string().optional() };

export const slbBackendServer = z
  .object({
    ServerId: z.string(),
    Weight: wireNumber.optional(),
    Type: z.string().optional(),
    ServerIp: z.string().optional(),
    Port: wireNumber.optional(),
    Description: z.string().optional(),
  })
  .transform((s) => ({
    serverId: s.ServerId,
    // The API's default weight is 100; a missing weight means nobody changed it.
    weight: s.Weight ?? 100,
    type: s.Type ?? 'ecs',
    serverIp: s.ServerIp,
    port: s.Port,
    description: s.Description,
  }));
export type SlbBackendServer = z.output<typeof slbBackendServer>;

const listenerPortAndProtocol = z
  .object({
    ListenerPort: wireNumber,
    ListenerProtocol: z.string(),
  })
  .transform((l) => ({ port: l.ListenerPort, protocol: l.ListenerProtocol.toLowerCase() }));

const loadBalancerCommon = {
  LoadBalancerId: z.string(),
  LoadBalancerName: z.string().optional(),
  LoadBalancerStatus: z.string().optional(),
  Address: z.string().optional(),
  AddressType: z.string().optional(),
  NetworkType: z.string().optional(),
  RegionId: z.string().optional(),
  VpcId: z.string().optional(),
  VSwitchId: z.string().optional(),
  CreateTime: z.string().optional(),
  LoadBalancerSpec: z.string().optional(),
  Tags: wireTags,
};

function commonFields(lb: z.output<z.ZodObject<typeof loadBalancerCommon>>) {
  return {
    loadBalancerId: lb.LoadBalancerId,
    name: lb.LoadBalancerName ?? '',
    status: lb.LoadBalancerStatus ?? 'inactive',
    address: lb.Address ?? '',
    addressType: lb.AddressType ?? 'internet',
    networkType: lb.NetworkType,
    regionId: lb.RegionId,
    vpcId: lb.VpcId,
    vSwitchId: lb.VSwitchId,
    createTime: lb.CreateTime,
    spec: lb.LoadBalancerSpec,
    tags: lb.Tags,
  };
}

export const describeLoadBalancersResponse = z
  .object({
    ...requestId,
    TotalCount: wireNumber.optional(),
    PageNumber: wireNumber.optional(),
    PageSize: wireNumber.optional(),
    LoadBalancers: wrappedList('LoadBalancer', z.object(loadBalancerCommon)),
  })
  .transform((r) => ({
    requestId: r.RequestId,
    totalCount: r.TotalCount ?? r.LoadBalancers.length,
    pageNumber: r.PageNumber ?? 1,
    pageSize: r.PageSize ?? r.LoadBalancers.length,
    loadBalancers: r.LoadBalancers.map(commonFields),
  }));
export type SlbLoadBalancerSummary = z.output<
  typeof describeLoadBalancersResponse
>['loadBalancers'][number];

export const describeLoadBalancerAttributeResponse = z
  .object({
    ...requestId,
    ...loadBalancerCommon,
    BackendServers: wrappedList('BackendServer', slbBackendServer),
    ListenerPortsAndProtocol: wrappedList('ListenerPortAndProtocol', listenerPortAndProtocol),
  })
  .transform((lb) => ({
    requestId: lb.RequestId,
    ...commonFields(lb),
    backendServers: lb.BackendServers,
    listeners: lb.ListenerPortsAndProtocol,
  }));
export type SlbLoadBalancerAttribute = z.output<typeof describeLoadBalancerAttributeResponse>;

export const createLoadBalancerResponse = z
  .object({
    ...requestId,
    LoadBalancerId: z.string(),
    Address: z.string().optional(),
    LoadBalancerName: z.string().optional(),
    NetworkType: z.string().optional(),
    VpcId: z.string().optional(),
  })
  .transform((r) => ({
    requestId: r.RequestId,
    loadBalancerId: r.LoadBalancerId,
    address: r.Address,
    name: r.LoadBalancerName,
  }));

export const backendServersResponse = z
  .object({
    ...requestId,
    LoadBalancerId: z.string().optional(),
    BackendServers: wrappedList('BackendServer', slbBackendServer),
  })
  .transform((r) => ({ requestId: r.RequestId, backendServers: r.BackendServers }));

export const requestIdOnly = z
  .object(requestId)
  .passthrough()
  .transform((r) => ({ requestId: r.RequestId }));

/**
 * One schema for the four Describe*ListenerAttribute actions: TCP and UDP report health checks
 * as HealthCheck (on|off) plus HealthCheckConnectTimeout, HTTP(S) add HealthCheckTimeout,
 * HealthCheckMethod and XForwardedFor. Fields a protocol lacks stay undefined.
 */
export const listenerAttributeResponse = z
  .object({
    ...requestId,
    ListenerPort: wireNumber,
    BackendServerPort: wireNumber.optional(),
    Status: z.string().optional(),
    Scheduler: z.string().optional(),
    Bandwidth: wireNumber.optional(),
    HealthCheck: wireSwitch.optional(),
    HealthCheckSwitch: wireSwitch.optional(),
    HealthCheckType: z.string().optional(),
    HealthCheckURI: z.string().optional(),
    HealthCheckDomain: z.string().optional(),
    HealthCheckMethod: z.string().optional(),
    HealthCheckHttpCode: z.string().optional(),
    HealthCheckConnectPort: wireNumber.optional(),
    HealthCheckInterval: wireNumber.optional(),
    HealthCheckConnectTimeout: wireNumber.optional(),
    HealthCheckTimeout: wireNumber.optional(),
    HealthyThreshold: wireNumber.optional(),
    UnhealthyThreshold: wireNumber.optional(),
    ConnectionDrain: wireSwitch.optional(),
    ConnectionDrainTimeout: wireNumber.optional(),
    XForwardedFor: wireSwitch.optional(),
    ServerCertificateId: z.string().optional(),
  })
  .transform((l) => ({
    requestId: l.RequestId,
    port: l.ListenerPort,
    backendPort: l.BackendServerPort,
    status: l.Status,
    scheduler: l.Scheduler,
    bandwidth: l.Bandwidth,
    healthCheck: {
      enabled: l.HealthCheck ?? l.HealthCheckSwitch,
      type: l.HealthCheckType,
      uri: l.HealthCheckURI,
      domain: l.HealthCheckDomain,
      method: l.HealthCheckMethod,
      httpCodes: l.HealthCheckHttpCode,
      connectPort: l.HealthCheckConnectPort,
      intervalSeconds: l.HealthCheckInterval,
      timeoutSeconds: l.HealthCheckTimeout ?? l.HealthCheckConnectTimeout,
      healthyThreshold: l.HealthyThreshold,
      unhealthyThreshold: l.UnhealthyThreshold,
    },
    connectionDrain: l.ConnectionDrain,
    connectionDrainTimeout: l.ConnectionDrainTimeout,
    xForwardedFor: l.XForwardedFor,
    serverCertificateId: l.ServerCertificateId,
  }));
/** A listener as the cloud reports it; undefined where the protocol has no such field. */
export type SlbListenerAttribute = z.output<typeof listenerAttributeResponse>;

export const describeHealthStatusResponse = z
  .object({
    ...requestId,
    BackendServers: wrappedList(
      'BackendServer',
      z.object({
        ServerId: z.string(),
        ServerIp: z.string().optional(),
        Port: wireNumber.optional(),
        ListenerPort: wireNumber.optional(),
        Protocol: z.string().optional(),
        ServerHealthStatus: z.string().optional(),
      }),
    ),
  })
  .transform((r) => ({
    requestId: r.RequestId,
    backendServers: r.BackendServers.map((s) => ({
      serverId: s.ServerId,
      serverIp: s.ServerIp,
      port: s.Port,
      listenerPort: s.ListenerPort,
      protocol: s.Protocol?.toLowerCase(),
      health: s.ServerHealthStatus,
    })),
  }));
export type SlbHealthStatus = z.output<
  typeof describeHealthStatusResponse
>['backendServers'][number];

export const describeTagsResponse = z
  .object({
    ...requestId,
    TagSets: wrappedList(
      'TagSet',
      z.object({
        TagKey: z.string(),
        TagValue: z.string().nullish(),
        InstanceCount: wireNumber.optional(),
      }),
    ),
  })
  .transform((r) => {
    const tags: Record<string, string> = {};
    for (const set of r.TagSets) tags[set.TagKey] = set.TagValue ?? '';
    return { requestId: r.RequestId, tags };
  });

const groupMember = z
  .object({
    ServerId: z.string(),
    Port: wireNumber,
    Weight: wireNumber.optional(),
    Type: z.string().optional(),
    ServerIp: z.string().optional(),
    ServerType: z.string().optional(),
  })
  .transform((m) => ({
    serverId: m.ServerId,
    port: m.Port,
    weight: m.Weight ?? 100,
    type: m.Type ?? 'ecs',
    ...(m.ServerIp ? { serverIp: m.ServerIp } : {}),
    // The API's default ServerType is Master.
    role: m.ServerType === 'Slave' ? ('slave' as const) : ('master' as const),
  }));

export const describeVServerGroupsResponse = z
  .object({
    ...requestId,
    VServerGroups: wrappedList(
      'VServerGroup',
      z.object({ VServerGroupId: z.string(), VServerGroupName: z.string().optional() }),
    ),
  })
  .transform((r) => ({
    groups: r.VServerGroups.map((g) => ({ id: g.VServerGroupId, name: g.VServerGroupName ?? '' })),
  }));

export const describeVServerGroupAttributeResponse = z
  .object({
    ...requestId,
    VServerGroupId: z.string(),
    VServerGroupName: z.string().optional(),
    LoadBalancerId: z.string().optional(),
    BackendServers: wrappedList('BackendServer', groupMember),
  })
  .transform((r) => ({
    id: r.VServerGroupId,
    name: r.VServerGroupName ?? '',
    loadBalancerId: r.LoadBalancerId,
    members: r.BackendServers.map(({ role: _role, ...member }) => member),
  }));

export const describeMasterSlaveServerGroupsResponse = z
  .object({
    ...requestId,
    MasterSlaveServerGroups: wrappedList(
      'MasterSlaveServerGroup',
      z.object({
        MasterSlaveServerGroupId: z.string(),
        MasterSlaveServerGroupName: z.string().optional(),
      }),
    ),
  })
  .transform((r) => ({
    groups: r.MasterSlaveServerGroups.map((g) => ({
      id: g.MasterSlaveServerGroupId,
      name: g.MasterSlaveServerGroupName ?? '',
    })),
  }));

export const describeMasterSlaveServerGroupAttributeResponse = z
  .object({
    ...requestId,
    MasterSlaveServerGroupId: z.string(),
    MasterSlaveServerGroupName: z.string().optional(),
    LoadBalancerId: z.string().optional(),
    MasterSlaveBackendServers: wrappedList('MasterSlaveBackendServer', groupMember),
  })
  .transform((r) => ({
    id: r.MasterSlaveServerGroupId,
    name: r.MasterSlaveServerGroupName ?? '',
    loadBalancerId: r.LoadBalancerId,
    members: r.MasterSlaveBackendServers,
  }));
