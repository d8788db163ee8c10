/**
 * SlbClient: typed calls of the SLB (CLB) 2014-05-15 actions drainctl uses, over
 * `@alicloud/openapi-client`'s generic `callApi` (RPC style, parameters in the query, as the
 * official SDK sends them; the SDK package itself is not in our registry). Every call goes
 * through the retry policy; every answer is parsed into our own types.
 */
import type { ListenerProtocol, TagReadOptions } from '../../../ports/index.js';
import type { AliyunSession } from '../session.js';
import type { CloudCaller } from '../transport/cloud-call.js';
import { type RetryBudget, SLB_BUSY_RETRY_BUDGET } from '../transport/retry-policy.js';
import {
  OpenApiClient,
  OpenApiConfig,
  OpenApiParams,
  OpenApiRequest,
  RuntimeOptions,
} from '../transport/sdk-modules.js';
import { parseResponse } from '../transport/wire.js';
import {
  type BackendServerParam,
  backendServersParam,
  type CreateLoadBalancerParams,
  type DescribeLoadBalancersFilter,
  type QueryValue,
  tagParams,
  toQuery,
} from './slb-requests.js';
import {
  backendServersResponse,
  createLoadBalancerResponse,
  describeHealthStatusResponse,
  describeLoadBalancerAttributeResponse,
  describeLoadBalancersResponse,
  describeMasterSlaveServerGroupAttributeResponse,
  describeMasterSlaveServerGroupsResponse,
  describeTagsResponse,
  describeVServerGroupAttributeResponse,
  describeVServerGroupsResponse,
  listenerAttributeResponse,
  requestIdOnly,
} from './slb-wire.js';

export type { BackendServerParam, CreateLoadBalancerParams, DescribeLoadBalancersFilter };

export const SLB_API_VERSION = '2014-05-15';
/** The API's limit of servers per Add/Set/RemoveBackendServers call. */
export const MAX_BACKENDS_PER_CALL = 20;

/** The SLB calls of one session (region, credential, retry policy). */
export function createSlbClient(session: AliyunSession): SlbClient {
  return new SlbClient(
    new OpenApiClient(new OpenApiConfig(session.clientSettings('slb'))),
    session.caller('slb'),
    session.region,
  );
}

export class SlbClient {
  constructor(
    private readonly sdk: OpenApiClient,
    private readonly caller: CloudCaller,
    private readonly region: string,
  ) {}

  /** Idempotent by ClientToken, so safe to resend after a timeout. */
  async createLoadBalancer(p: CreateLoadBalancerParams) {
    const body = await this.send(
      'CreateLoadBalancer',
      {
        LoadBalancerName: p.name,
        AddressType: p.addressType,
        ClientToken: p.clientToken,
        LoadBalancerSpec: p.spec,
        VpcId: p.vpcId,
        VSwitchId: p.vSwitchId,
        MasterZoneId: p.masterZoneId,
        SlaveZoneId: p.slaveZoneId,
        Bandwidth: p.bandwidth,
        InternetChargeType: p.internetChargeType,
        DeleteProtection:
          p.deleteProtection === undefined ? undefined : p.deleteProtection ? 'on' : 'off',
        ...tagParams(p.tags),
      },
      { idempotent: true, budget: SLB_BUSY_RETRY_BUDGET },
    );
    return parseResponse('slb', 'CreateLoadBalancer', createLoadBalancerResponse, body);
  }

  async describeLoadBalancers(filter: DescribeLoadBalancersFilter) {
    const body = await this.send(
      'DescribeLoadBalancers',
      {
        LoadBalancerId: filter.loadBalancerIds?.join(','),
        LoadBalancerName: filter.name,
        ServerId: filter.serverId,
        PageNumber: filter.pageNumber,
        PageSize: filter.pageSize,
        ...tagParams(filter.tags),
      },
      { idempotent: true },
    );
    return parseResponse('slb', 'DescribeLoadBalancers', describeLoadBalancersResponse, body);
  }

  /** Unknown id: AliyunApiError with cloudCode InvalidLoadBalancerId.NotFound (HTTP 404). */
  async describeLoadBalancerAttribute(loadBalancerId: string) {
    const body = await this.send(
      'DescribeLoadBalancerAttribute',
      { LoadBalancerId: loadBalancerId },
      { idempotent: true },
    );
    return parseResponse(
      'slb',
      'DescribeLoadBalancerAttribute',
      describeLoadBalancerAttributeResponse,
      body,
    );
  }

  /** Not resent after an ambiguous failure: the adapter checks whether it is gone. */
  async deleteLoadBalancer(loadBalancerId: string) {
    const body = await this.send(
      'DeleteLoadBalancer',
      { LoadBalancerId: loadBalancerId },
      { idempotent: false, budget: SLB_BUSY_RETRY_BUDGET },
    );
    return parseResponse('slb', 'DeleteLoadBalancer', requestIdOnly, body);
  }

  /** `params` are the protocol's Create*Listener parameters (listener-params.ts builds them). */
  async createListener(
    loadBalancerId: string,
    protocol: ListenerProtocol,
    params: Record<string, QueryValue>,
  ) {
    const action = `CreateLoadBalancer${protocolName(protocol)}Listener`;
    const body = await this.send(
      action,
      { LoadBalancerId: loadBalancerId, ...params },
      { idempotent: false, budget: SLB_BUSY_RETRY_BUDGET },
    );
    return parseResponse('slb', action, requestIdOnly, body);
  }

  async describeListenerAttribute(
    loadBalancerId: string,
    protocol: ListenerProtocol,
    port: number,
  ) {
    const action = `DescribeLoadBalancer${protocolName(protocol)}ListenerAttribute`;
    const body = await this.send(
      action,
      { LoadBalancerId: loadBalancerId, ListenerPort: port },
      { idempotent: true },
    );
    return parseResponse('slb', action, listenerAttributeResponse, body);
  }

  async startListener(loadBalancerId: string, port: number, protocol: ListenerProtocol) {
    return this.listenerAction('StartLoadBalancerListener', loadBalancerId, port, protocol, true);
  }

  async stopListener(loadBalancerId: string, port: number, protocol: ListenerProtocol) {
    return this.listenerAction('StopLoadBalancerListener', loadBalancerId, port, protocol, true);
  }

  async deleteListener(loadBalancerId: string, port: number, protocol: ListenerProtocol) {
    return this.listenerAction('DeleteLoadBalancerListener', loadBalancerId, port, protocol, false);
  }

  /** Not resent after an ambiguous failure (adding an attached server is an error). */
  async addBackendServers(loadBalancerId: string, servers: BackendServerParam[]) {
    return this.backendAction('AddBackendServers', loadBalancerId, servers, false);
  }

  /** Sets weights of attached servers; converges, so safe to resend. */
  async setBackendServers(loadBalancerId: string, servers: BackendServerParam[]) {
    return this.backendAction('SetBackendServers', loadBalancerId, servers, true);
  }

  async removeBackendServers(loadBalancerId: string, servers: BackendServerParam[]) {
    return this.backendAction('RemoveBackendServers', loadBalancerId, servers, false);
  }

  async describeHealthStatus(
    loadBalancerId: string,
    listenerPort?: number,
    protocol?: ListenerProtocol,
  ) {
    const body = await this.send(
      'DescribeHealthStatus',
      { LoadBalancerId: loadBalancerId, ListenerPort: listenerPort, ListenerProtocol: protocol },
      { idempotent: true },
    );
    return parseResponse('slb', 'DescribeHealthStatus', describeHealthStatusResponse, body);
  }

  async describeVServerGroups(loadBalancerId: string) {
    const body = await this.send(
      'DescribeVServerGroups',
      { LoadBalancerId: loadBalancerId },
      { idempotent: true },
    );
    return parseResponse('slb', 'DescribeVServerGroups', describeVServerGroupsResponse, body);
  }

  async describeVServerGroupAttribute(vServerGroupId: string) {
    const body = await this.send(
      'DescribeVServerGroupAttribute',
      { VServerGroupId: vServerGroupId },
      { idempotent: true },
    );
    return parseResponse(
      'slb',
      'DescribeVServerGroupAttribute',
      describeVServerGroupAttributeResponse,
      body,
    );
  }

  /** Weights of servers already in the group (with their ports); converges, so safe to resend. */
  async setVServerGroupAttribute(vServerGroupId: string, servers: BackendServerParam[]) {
    if (servers.length === 0 || servers.length > MAX_BACKENDS_PER_CALL) {
      throw new RangeError(
        `SetVServerGroupAttribute takes 1 to ${MAX_BACKENDS_PER_CALL} servers per call, got ${servers.length}`,
      );
    }
    const body = await this.send(
      'SetVServerGroupAttribute',
      { VServerGroupId: vServerGroupId, BackendServers: backendServersParam(servers) },
      { idempotent: true, budget: SLB_BUSY_RETRY_BUDGET },
    );
    return parseResponse('slb', 'SetVServerGroupAttribute', requestIdOnly, body);
  }

  async describeMasterSlaveServerGroups(loadBalancerId: string) {
    const body = await this.send(
      'DescribeMasterSlaveServerGroups',
      { LoadBalancerId: loadBalancerId },
      { idempotent: true },
    );
    return parseResponse(
      'slb',
      'DescribeMasterSlaveServerGroups',
      describeMasterSlaveServerGroupsResponse,
      body,
    );
  }

  async describeMasterSlaveServerGroupAttribute(masterSlaveServerGroupId: string) {
    const body = await this.send(
      'DescribeMasterSlaveServerGroupAttribute',
      { MasterSlaveServerGroupId: masterSlaveServerGroupId },
      { idempotent: true },
    );
    return parseResponse(
      'slb',
      'DescribeMasterSlaveServerGroupAttribute',
      describeMasterSlaveServerGroupAttributeResponse,
      body,
    );
  }

  /** Adds (or overwrites) tags on a balancer. */
  async addTags(loadBalancerId: string, tags: Record<string, string>) {
    const body = await this.send(
      'AddTags',
      {
        LoadBalancerId: loadBalancerId,
        Tags: JSON.stringify(
          Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
        ),
      },
      { idempotent: true },
    );
    return parseResponse('slb', 'AddTags', requestIdOnly, body);
  }

  /** With `withinMs`: two attempts at most, each cut off at `withinMs`, retried only within it. */
  async describeTags(loadBalancerId: string, options: TagReadOptions = {}) {
    const { withinMs, signal } = options;
    const body = await this.send(
      'DescribeTags',
      { LoadBalancerId: loadBalancerId },
      {
        idempotent: true,
        ...(withinMs === undefined
          ? {}
          : {
              budget: {
                maxAttempts: 2,
                maxElapsedMs: withinMs,
                baseDelayMs: Math.min(200, withinMs / 4),
                maxDelayMs: Math.min(200, withinMs / 4),
              },
              timeoutMs: withinMs,
            }),
        ...(signal ? { signal } : {}),
      },
    );
    return parseResponse('slb', 'DescribeTags', describeTagsResponse, body);
  }

  /** Removes tags (the API names each by key and value). */
  async removeTags(loadBalancerId: string, tags: Record<string, string>) {
    const body = await this.send(
      'RemoveTags',
      {
        LoadBalancerId: loadBalancerId,
        Tags: JSON.stringify(
          Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
        ),
      },
      { idempotent: true },
    );
    return parseResponse('slb', 'RemoveTags', requestIdOnly, body);
  }

  private async listenerAction(
    action: string,
    loadBalancerId: string,
    port: number,
    protocol: ListenerProtocol,
    idempotent: boolean,
  ) {
    const body = await this.send(
      action,
      { LoadBalancerId: loadBalancerId, ListenerPort: port, ListenerProtocol: protocol },
      { idempotent, budget: SLB_BUSY_RETRY_BUDGET },
    );
    return parseResponse('slb', action, requestIdOnly, body);
  }

  private async backendAction(
    action: 'AddBackendServers' | 'SetBackendServers' | 'RemoveBackendServers',
    loadBalancerId: string,
    servers: BackendServerParam[],
    idempotent: boolean,
  ) {
    if (servers.length === 0 || servers.length > MAX_BACKENDS_PER_CALL) {
      throw new RangeError(
        `${action} takes 1 to ${MAX_BACKENDS_PER_CALL} servers per call, got ${servers.length}`,
      );
    }
    const body = await this.send(
      action,
      { LoadBalancerId: loadBalancerId, BackendServers: backendServersParam(servers) },
      { idempotent, budget: SLB_BUSY_RETRY_BUDGET },
    );
    return parseResponse('slb', action, backendServersResponse, body);
  }

  private async send(
    action: string,
    params: Record<string, QueryValue>,
    spec: { idempotent: boolean; budget?: RetryBudget; signal?: AbortSignal; timeoutMs?: number },
  ): Promise<unknown> {
    const { timeoutMs, ...call } = spec;
    const query = toQuery({ RegionId: this.region, ...params });
    const response = await this.caller.call({ action, ...call }, () =>
      this.sdk.callApi(
        new OpenApiParams({
          action,
          version: SLB_API_VERSION,
          protocol: 'HTTPS',
          pathname: '/',
          method: 'POST',
          authType: 'AK',
          style: 'RPC',
          reqBodyType: 'formData',
          bodyType: 'json',
        }),
        new OpenApiRequest({ query }),
        new RuntimeOptions({
          autoretry: false,
          ...(timeoutMs === undefined ? {} : { readTimeout: timeoutMs, connectTimeout: timeoutMs }),
        }),
      ),
    );
    return (response as { body?: unknown }).body;
  }
}

function protocolName(protocol: ListenerProtocol): 'TCP' | 'UDP' | 'HTTP' | 'HTTPS' {
  return protocol.toUpperCase() as 'TCP' | 'UDP' | 'HTTP' | 'HTTPS';
}
