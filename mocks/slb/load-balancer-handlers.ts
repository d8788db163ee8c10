/**
 * Load balancer lifecycle and queries: CreateLoadBalancer (idempotent per ClientToken),
 * DescribeLoadBalancers (filters, tags, paging), DescribeLoadBalancerAttribute, DeleteLoadBalancer.
 */
import type { EmulatorContext } from '../emulator/context.js';
import { randomId } from '../emulator/ids.js';
import { InvalidParameter } from '../server/api-error.js';
import type { Params } from '../server/params.js';
import type { Handler } from '../server/product.js';
import { stopDataPlane } from './data-plane.js';
import { LxRequestTokenConflict } from './errors.js';
import { attributeView, summaryView } from './load-balancer-views.js';
import type { LoadBalancer } from './store.js';
import { requestedTags } from './tag-params.js';

const SPECS = [
  'slb.s1.small',
  'slb.s2.small',
  'slb.s2.medium',
  'slb.s3.small',
  'slb.s3.medium',
  'slb.s3.large',
  'slb.s3.xlarge',
  'slb.s3.xxlarge',
  'slb.lcu.elastic',
] as const;

function newLoadBalancer(params: Params, ctx: EmulatorContext): LoadBalancer {
  const id = randomId('lb-', 22);
  const vSwitchId = params.string('VSwitchId') ?? '';
  const internetChargeType =
    params.oneOf('InternetChargeType', ['paybytraffic', 'paybybandwidth']) ?? 'paybytraffic';
  return {
    id,
    name: params.string('LoadBalancerName') || id,
    address: ctx.addresses.allocateLoadBalancer(),
    addressType: params.oneOf('AddressType', ['internet', 'intranet']) ?? 'internet',
    networkType: vSwitchId ? 'vpc' : 'classic',
    vpcId: params.string('VpcId') ?? '',
    vSwitchId,
    spec: params.oneOf('LoadBalancerSpec', SPECS) ?? 'slb.lcu.elastic',
    regionId: ctx.topology.region,
    masterZoneId: params.string('MasterZoneId') || ctx.topology.zone,
    slaveZoneId: params.string('SlaveZoneId') || ctx.topology.zone,
    createdAt: ctx.now(),
    status: 'active',
    internetChargeType,
    bandwidth:
      internetChargeType === 'paybybandwidth'
        ? (params.int('Bandwidth', { min: 1, max: 5120 }) ?? 1)
        : 0,
    deleteProtection: params.oneOf('DeleteProtection', ['on', 'off']) ?? 'off',
    resourceGroupId: params.string('ResourceGroupId') || 'rg-emulator-default',
    tags: new Map(requestedTags(params).map(({ key, value }) => [key, value])),
    backends: new Map(),
    listeners: new Map(),
    busyUntil: 0,
  };
}

const CreateLoadBalancer: Handler<EmulatorContext> = ({ params, ctx }) => {
  const token = params.string('ClientToken');
  const fingerprint = JSON.stringify(params.entries().filter(([key]) => key !== 'ClientToken'));
  if (token) {
    const seen = ctx.slb.clientTokens.get(token);
    if (seen) {
      if (seen.fingerprint !== fingerprint) throw new LxRequestTokenConflict();
      return seen.response;
    }
  }
  const loadBalancer = newLoadBalancer(params, ctx);
  ctx.slb.loadBalancers.set(loadBalancer.id, loadBalancer);
  const response = {
    LoadBalancerId: loadBalancer.id,
    Address: loadBalancer.address,
    AddressIPVersion: 'ipv4',
    LoadBalancerName: loadBalancer.name,
    NetworkType: loadBalancer.networkType,
    VpcId: loadBalancer.vpcId,
    VSwitchId: loadBalancer.vSwitchId,
    ResourceGroupId: loadBalancer.resourceGroupId,
    OrderId: 0,
  };
  if (token)
    ctx.slb.clientTokens.set(token, { fingerprint, loadBalancerId: loadBalancer.id, response });
  return response;
};

function matchesFilters(loadBalancer: LoadBalancer, params: Params, ctx: EmulatorContext): boolean {
  const ids = params.string('LoadBalancerId');
  if (
    ids &&
    !ids
      .split(',')
      .map((id) => id.trim())
      .includes(loadBalancer.id)
  )
    return false;
  const equal: [string, string][] = [
    ['LoadBalancerName', loadBalancer.name],
    ['Address', loadBalancer.address],
    ['AddressType', loadBalancer.addressType],
    ['NetworkType', loadBalancer.networkType],
    ['VpcId', loadBalancer.vpcId],
    ['VSwitchId', loadBalancer.vSwitchId],
    ['LoadBalancerStatus', loadBalancer.status],
    ['ResourceGroupId', loadBalancer.resourceGroupId],
  ];
  for (const [name, actual] of equal) {
    const wanted = params.string(name);
    if (wanted && wanted !== actual) return false;
  }
  const serverId = params.string('ServerId');
  if (serverId && !servesServer(loadBalancer, serverId, ctx)) return false;
  return requestedTags(params).every(({ key, value }) => loadBalancer.tags.get(key) === value);
}

function servesServer(loadBalancer: LoadBalancer, serverId: string, ctx: EmulatorContext): boolean {
  if (loadBalancer.backends.has(serverId)) return true;
  return [...ctx.slb.vServerGroups.values(), ...ctx.slb.masterSlaveGroups.values()].some(
    (group) =>
      group.loadBalancerId === loadBalancer.id &&
      group.servers.some((s) => s.serverId === serverId),
  );
}

const DescribeLoadBalancers: Handler<EmulatorContext> = ({ params, ctx }) => {
  const ids = params.string('LoadBalancerId');
  if (ids && ids.split(',').length > 10) {
    throw new InvalidParameter('LoadBalancerId', 'At most 10 ids, separated by commas.');
  }
  const pageNumber = params.int('PageNumber', { min: 1 }) ?? 1;
  const pageSize = params.int('PageSize', { min: 1, max: 100 }) ?? 10;
  const matching = [...ctx.slb.loadBalancers.values()].filter((lb) =>
    matchesFilters(lb, params, ctx),
  );
  const page = matching.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return {
    PageNumber: pageNumber,
    PageSize: pageSize,
    TotalCount: matching.length,
    LoadBalancers: { LoadBalancer: page.map(summaryView) },
  };
};

const DescribeLoadBalancerAttribute: Handler<EmulatorContext> = ({ params, ctx }) => {
  const loadBalancer = ctx.slb.get(params.required('LoadBalancerId'));
  return attributeView(loadBalancer, (id) => ctx.ecs.privateIp(id));
};

const DeleteLoadBalancer: Handler<EmulatorContext> = async ({ params, ctx }) => {
  const loadBalancer = ctx.slb.get(params.required('LoadBalancerId'));
  if (loadBalancer.deleteProtection === 'on') {
    throw new InvalidParameter(
      'DeleteProtection',
      'Deletion protection is on for this load balancer.',
    );
  }
  for (const listener of loadBalancer.listeners.values())
    await stopDataPlane(loadBalancer, listener, ctx);
  ctx.slb.loadBalancers.delete(loadBalancer.id);
  for (const [id, group] of ctx.slb.vServerGroups) {
    if (group.loadBalancerId === loadBalancer.id) ctx.slb.vServerGroups.delete(id);
  }
  for (const [id, group] of ctx.slb.masterSlaveGroups) {
    if (group.loadBalancerId === loadBalancer.id) ctx.slb.masterSlaveGroups.delete(id);
  }
  return {};
};

export const loadBalancerHandlers: Record<string, Handler<EmulatorContext>> = {
  CreateLoadBalancer,
  DescribeLoadBalancers,
  DescribeLoadBalancerAttribute,
  DeleteLoadBalancer,
};
