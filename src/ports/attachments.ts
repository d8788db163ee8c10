/**
 * Where a server is attached in a region, beyond one balancer's default server group: which
 * balancers serve it, their vServer groups and master-slave groups, and the weights of a vServer
 * group's members. Read by fleet discovery; the weights are changed per attachment.
 */

/** A balancer as a listing shows it. */
export interface BalancerSummary {
  id: string;
  name: string;
  address: string;
  tags: Record<string, string>;
}

/** A server in a group: the same server may be in one group on several ports. */
export interface GroupMember {
  serverId: string;
  port: number;
  weight: number;
  /** ecs | eni | eci */
  type: string;
  serverIp?: string;
}

export interface VServerGroupInfo {
  id: string;
  name: string;
  loadBalancerId: string;
  members: GroupMember[];
}

/** Two servers: the master serves, the slave only while the master fails its health check. */
export interface MasterSlaveGroupInfo {
  id: string;
  name: string;
  loadBalancerId: string;
  members: Array<GroupMember & { role: 'master' | 'slave' }>;
}

export interface ServerAttachments {
  /** Every balancer in the region that has this server in one of its groups. */
  balancersServing(serverId: string): Promise<BalancerSummary[]>;
  /** Every balancer in the region carrying all of these tags. */
  balancersTagged(tags: Record<string, string>): Promise<BalancerSummary[]>;
  /** The balancer's vServer groups, each with its members. */
  vServerGroups(loadBalancerId: string): Promise<VServerGroupInfo[]>;
  /** The balancer's master-slave groups, each with its two members. */
  masterSlaveGroups(loadBalancerId: string): Promise<MasterSlaveGroupInfo[]>;
  /** Changes weights of members already in the group only; batched by 20. */
  setVServerGroupWeights(
    vServerGroupId: string,
    members: Array<Pick<GroupMember, 'serverId' | 'port' | 'weight'> & Partial<GroupMember>>,
  ): Promise<void>;
}
