/**
 * A run's weight changes on fleet attachments, group-committed (group-commit.ts): one
 * SetBackendServers per balancer's default server group and one SetVServerGroupAttribute per
 * vServer group carry the changes of every server of the run that are waiting for it, so servers
 * draining or restoring together on one balancer spend one call of the action's quota, not one each.
 */
import type { BackendWeight } from '../../ports/index.js';
import { AttachmentsUnavailableError } from '../engine-errors.js';
import type { EnginePorts } from '../engine-ports.js';
import { GroupCommit } from './group-commit.js';

/**
 * Servers one call of the cloud takes (SetBackendServers and SetVServerGroupAttribute: 20), so a
 * merged change is still one call.
 */
export const WEIGHTS_PER_CALL = 20;

export interface VServerGroupWeight {
  serverId: string;
  port: number;
  weight: number;
}

export interface WeightWrites {
  /** The server weights in a balancer's default server group. */
  setBackendWeights(loadBalancerId: string, weights: readonly BackendWeight[]): Promise<void>;
  setVServerGroupWeights(
    vServerGroupId: string,
    members: readonly VServerGroupWeight[],
  ): Promise<void>;
}

export function createWeightWrites(ports: EnginePorts): WeightWrites {
  const backends = new GroupCommit<BackendWeight>({
    send: (loadBalancerId, weights) =>
      ports.loadBalancer.setBackendWeights(loadBalancerId, weights),
    maxPerCall: WEIGHTS_PER_CALL,
    memberKey: (w) => w.serverId,
  });
  const groups = new GroupCommit<VServerGroupWeight>({
    send: (vServerGroupId, members) => {
      const port = ports.attachments;
      if (port === undefined) throw new AttachmentsUnavailableError('set vServer group weights');
      return port.setVServerGroupWeights(vServerGroupId, members);
    },
    maxPerCall: WEIGHTS_PER_CALL,
    memberKey: (m) => `${m.serverId}:${m.port}`,
  });
  return {
    setBackendWeights: (id, weights) => backends.write(id, weights),
    setVServerGroupWeights: (id, members) => groups.write(id, members),
  };
}
