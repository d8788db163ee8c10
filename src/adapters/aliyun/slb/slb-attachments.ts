/**
 * The ServerAttachments port on SLB: balancers by the server they serve (DescribeLoadBalancers
 * ServerId) or by tags, paged; each balancer's vServer groups and master-slave groups with their
 * members (one Describe…Attribute per group); a vServer group's weights in batches of 20.
 */
import type {
  BalancerSummary,
  GroupMember,
  MasterSlaveGroupInfo,
  ServerAttachments,
  VServerGroupInfo,
} from '../../../ports/index.js';
import {
  type DescribeLoadBalancersFilter,
  MAX_BACKENDS_PER_CALL,
  type SlbClient,
} from './slb-client.js';

/** DescribeLoadBalancers' page size limit. */
const PAGE_SIZE = 100;

export class SlbAttachments implements ServerAttachments {
  constructor(private readonly client: SlbClient) {}

  balancersServing(serverId: string): Promise<BalancerSummary[]> {
    return this.balancers({ serverId });
  }

  async balancersTagged(tags: Record<string, string>): Promise<BalancerSummary[]> {
    // Tag filters are not guaranteed to be applied: check them here too.
    const found = await this.balancers({ tags });
    return found.filter((lb) => Object.entries(tags).every(([k, v]) => lb.tags[k] === v));
  }

  async vServerGroups(loadBalancerId: string): Promise<VServerGroupInfo[]> {
    const { groups } = await this.client.describeVServerGroups(loadBalancerId);
    return Promise.all(
      groups.map(async (group) => {
        const attribute = await this.client.describeVServerGroupAttribute(group.id);
        return { id: group.id, name: attribute.name, loadBalancerId, members: attribute.members };
      }),
    );
  }

  async masterSlaveGroups(loadBalancerId: string): Promise<MasterSlaveGroupInfo[]> {
    const { groups } = await this.client.describeMasterSlaveServerGroups(loadBalancerId);
    return Promise.all(
      groups.map(async (group) => {
        const attribute = await this.client.describeMasterSlaveServerGroupAttribute(group.id);
        return { id: group.id, name: attribute.name, loadBalancerId, members: attribute.members };
      }),
    );
  }

  async setVServerGroupWeights(
    vServerGroupId: string,
    members: Array<Pick<GroupMember, 'serverId' | 'port' | 'weight'> & Partial<GroupMember>>,
  ): Promise<void> {
    for (let start = 0; start < members.length; start += MAX_BACKENDS_PER_CALL) {
      await this.client.setVServerGroupAttribute(
        vServerGroupId,
        members.slice(start, start + MAX_BACKENDS_PER_CALL).map((member) => ({
          serverId: member.serverId,
          port: member.port,
          weight: member.weight,
          type: member.type ?? 'ecs',
          ...(member.serverIp === undefined ? {} : { serverIp: member.serverIp }),
        })),
      );
    }
  }

  private async balancers(filter: DescribeLoadBalancersFilter): Promise<BalancerSummary[]> {
    const found: BalancerSummary[] = [];
    for (let page = 1; ; page++) {
      const result = await this.client.describeLoadBalancers({
        ...filter,
        pageNumber: page,
        pageSize: PAGE_SIZE,
      });
      for (const lb of result.loadBalancers) {
        found.push({ id: lb.loadBalancerId, name: lb.name, address: lb.address, tags: lb.tags });
      }
      if (result.loadBalancers.length < PAGE_SIZE || page * PAGE_SIZE >= result.totalCount) break;
    }
    return found;
  }
}
