/**
 * What a Redis cluster says about itself, read-only: its nodes with their roles and slots (as
 * `CLUSTER NODES` tells them), `cluster_state`, and each node's version. The plan compares it with
 * the topology the workflow expects.
 */

export interface RedisClusterNode {
  id: string;
  /** `host:port` the cluster announces. */
  address: string;
  role: 'master' | 'replica';
  /** A replica's master (its node id). */
  masterId?: string;
  /** How many of the 16384 hash slots it serves (masters). */
  slots: number;
  /** Flagged `fail` or `fail?` by the node asked, or its link is down. */
  failing: boolean;
  /** `redis_version` from its INFO; absent when it could not be asked. */
  version?: string;
}

export interface RedisClusterView {
  /** The seed that answered. */
  askedAt: string;
  /** `cluster_state` of the node asked: `ok` or `fail`. */
  clusterState: string;
  /** Slots assigned to some master (`cluster_slots_assigned`). */
  slotsAssigned: number;
  nodes: RedisClusterNode[];
}

export interface RedisObserver {
  /** Asks the first seed that answers; fails when none does. */
  observeCluster(
    seeds: readonly string[],
    options: { password?: string; timeoutMs: number },
  ): Promise<RedisClusterView>;
}
