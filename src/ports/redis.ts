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

/** One sentinel of those the workflow lists, and what it said (or why it did not). */
export interface RedisSentinelAnswer {
  address: string;
  /** The master's `host:port` by `SENTINEL MASTER <name>`; absent when it did not answer. */
  master?: string;
  /** Why it did not answer. */
  error?: string;
}

/** A node the sentinels list (the master, or one of its replicas), and what it says itself. */
export interface RedisSentinelNode {
  address: string;
  /** How the sentinels list it. */
  listedAs: 'master' | 'replica';
  /** The sentinels flag it `s_down`, `o_down` or `disconnected`. */
  down: boolean;
  /** `role` from its own INFO; absent when it could not be asked. */
  role?: 'master' | 'replica';
  /** A replica's master, `master_host:master_port`, by its own INFO. */
  masterAddress?: string;
  /** A replica's `master_link_status:up`, by its own INFO. */
  linkUp: boolean;
  /** `redis_version` from its INFO; absent when it could not be asked. */
  version?: string;
}

/**
 * Redis under Sentinel as the sentinels and the nodes describe it: the master the first sentinel
 * that answered names, with its replicas (`SENTINEL MASTER`/`REPLICAS`), how many sentinels it
 * knows (`SENTINEL SENTINELS` and itself) and their quorum, and what every listed sentinel said.
 */
export interface RedisSentinelView {
  mode: 'sentinel';
  masterName: string;
  /** The first sentinel that answered. */
  askedAt: string;
  quorum: number;
  /** Sentinels the one asked knows, itself included. */
  knownSentinels: number;
  sentinels: RedisSentinelAnswer[];
  /** The master first, then its replicas. */
  nodes: RedisSentinelNode[];
}

export interface RedisObserver {
  /** Asks the first seed that answers; fails when none does. */
  observeCluster(
    seeds: readonly string[],
    options: { password?: string; timeoutMs: number },
  ): Promise<RedisClusterView>;
  /**
   * Asks every sentinel for the master named `masterName`, then the nodes the first that answered
   * lists; fails when no sentinel answers. `password` is the nodes' (sentinels are asked without).
   */
  observeSentinel(
    sentinels: readonly string[],
    masterName: string,
    options: { password?: string; timeoutMs: number },
  ): Promise<RedisSentinelView>;
}

/** The sentinels a node under Sentinel is watched by, and the name they monitor its master by. */
export interface RedisSentinelTarget {
  sentinels: string[];
  masterName: string;
}

/**
 * How to reach one node: its AUTH password, how long one command may take, and, for a node under
 * Sentinel, its sentinels (without them the node is a Redis Cluster node).
 */
export interface RedisConnectOptions {
  password?: string;
  timeoutMs: number;
  sentinel?: RedisSentinelTarget;
}

/**
 * What one node says about its replication and its cluster (`INFO replication`, `CLUSTER INFO`,
 * `CLUSTER MYID`). Under Sentinel its id is its address and its `clusterState` is `ok` when the
 * sentinels name as master the node itself (a master) or its own master (a replica).
 */
export interface RedisNodeStatus {
  /** `CLUSTER MYID`: how `CLUSTER NODES` names it (a replica names its master by it). */
  id: string;
  role: 'master' | 'replica';
  /** `master_repl_offset`: the stream position this node has (a replica: what it has received). */
  offset: number;
  /** A replica's master, `master_host:master_port`. */
  masterAddress?: string;
  /** A replica's `master_link_status:up`. */
  linkUp: boolean;
  /** A replica's `master_sync_in_progress:1`: a full sync still loading. */
  syncInProgress: boolean;
  /** `cluster_state` (`ok` or `fail`). */
  clusterState: string;
  /** Under Sentinel: the master the sentinels name (the first that answers). */
  namedMaster?: string;
}

/** Where a node keeps its RDB file, and when it last saved one (`LASTSAVE`, Unix seconds). */
export interface RedisSaveState {
  lastSave: number;
  /** `CONFIG GET dir` joined with `dbfilename`. */
  rdbPath: string;
  /** `rdb_bgsave_in_progress:1`. */
  inProgress: boolean;
  /** `rdb_last_bgsave_status`: `ok` or `err`. */
  lastStatus: string;
}

/**
 * The commands a Redis member's steps send to one node: what it says about itself, and the two
 * changes drainctl makes (a failover of its master, a background save). One connection per call,
 * no cluster or Sentinel client: each answer is what that node (or sentinel) says. Cluster or
 * Sentinel is the adapter's business, told by `options.sentinel`.
 */
export interface RedisMemberClient {
  status(address: string, options: RedisConnectOptions): Promise<RedisNodeStatus>;
  /**
   * Every node `CLUSTER NODES` lists, as the node asked sees them; under Sentinel the master and
   * the replicas the first sentinel that answers lists (ids are addresses).
   */
  clusterNodes(address: string, options: RedisConnectOptions): Promise<RedisClusterNode[]>;
  /**
   * Hand the master's role to a replica without losing an acknowledged write. Cluster:
   * `CLUSTER FAILOVER` (default mode) sent to the replica, which takes over once it has every
   * write. Sentinel: `CLIENT PAUSE <timeoutMs> WRITE` on the master, wait until every replica
   * linked to it has the master's offset, then `SENTINEL FAILOVER`, and once a replica answers
   * as the master the old one is demoted and its writes released. Resolves once the failover
   * is started (Cluster) or the old master demoted (Sentinel).
   */
  failover(
    move: { master: string; replica: string; timeoutMs: number },
    options: RedisConnectOptions,
  ): Promise<void>;
  /** Sentinel: `CLIENT UNPAUSE` on a node `failover` paused. Cluster: nothing to do. */
  releaseWrites(address: string, options: RedisConnectOptions): Promise<void>;
  /**
   * Sentinel: the end of `failover` for a master the sentinels no longer name (its process died
   * between SENTINEL FAILOVER and the demotion, its writes still paused): `REPLICAOF
   * namedMaster`, its clients dropped, its writes released. Cluster: nothing to do (the cluster
   * demotes the old master itself, and nothing paused it).
   */
  finishDemotion(address: string, namedMaster: string, options: RedisConnectOptions): Promise<void>;
  /**
   * Sentinel: a master the sentinels still name whose writes a failover paused and whose process
   * died before the failover began: `CLIENT UNPAUSE` once every sentinel answers that no failover
   * of it is under way. Resolves whether it released them. Cluster: nothing paused, false.
   */
  releaseStrandedPause(address: string, options: RedisConnectOptions): Promise<boolean>;
  saveState(address: string, options: RedisConnectOptions): Promise<RedisSaveState>;
  /** `BGSAVE`; resolves also when a background save is already running (the wait covers it). */
  backgroundSave(address: string, options: RedisConnectOptions): Promise<void>;
}
