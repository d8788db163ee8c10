/**
 * The plan: the contract between the planner (pure, src/plan) and the engine (src/engine).
 * A plan is data: every step carries all the parameters it needs, resolved at plan time, so the
 * engine executes exactly what `drainctl plan` printed and nothing else. Values that only exist
 * after an earlier step (the address of a load balancer this run creates) are symbolic
 * references, resolved by the engine from the journal.
 *
 * Change these types only additively; the planner and the engine both depend on them.
 */
import type {
  AlertGateQuery,
  BackendHealthStatus,
  BackendWeight,
  CreateLoadBalancerRequest,
  DnsRecord,
  HealthCheckSpec,
  InstanceInfo,
  Listener,
  ListenerConfig,
  ListenerProtocol,
  LoadBalancerInfo,
  NginxUpgradeSettings,
  NginxUpgradeStepName,
  RedisClusterView,
  RedisSentinelView,
  TrafficProbeConfig,
} from '../ports/index.js';
import type { SelfRunBalancerSection } from './self-run-balancer.js';

/**
 * The plan's shape, hashed with it. Not bumped when a field is added as optional (nor for the
 * drainctl version, which the journal's plan entry holds beside the plan, not in it): a new
 * value would change every plan's sha256, so a plan approved before an upgrade would be refused
 * after it though nothing in it changed.
 */
export const PLAN_SCHEMA_VERSION = 1;

/**
 * What the operator said about servers found at weight 0 (`--restore-weight`,
 * `--leave-at-zero`): part of the plan, so `plan` and `run --plan-sha256` agree on it.
 */
export interface ZeroWeightChoices {
  /** Instance id → the weight (1–100) it comes back to after its maintenance. */
  restoreWeight?: Record<string, number>;
  /** Instance ids left at weight 0, untouched, on purpose (the run may still end done). */
  leaveAtZero?: string[];
}

/**
 * A weight saved on the balancer before a drain (src/plan/saved-weight-tag.ts): by a run, or by
 * hand (the weight alone).
 */
export interface SavedWeight {
  weight: number;
  /** The run that saved it. */
  runId?: string;
  /** When (ISO). */
  at?: string;
}

/**
 * A server found at weight 0 that the workflow does not bring into service: it is maintained
 * and brought back to a weight that a run saved on the balancer (`saved`) or the operator gave
 * (`operator`), or it is left exactly as found — `acknowledged` when the operator said so,
 * otherwise the run does not end as a plain success.
 */
export type AtZeroDecision =
  | { action: 'restore'; weight: number; from: 'saved'; saved: SavedWeight }
  | { action: 'restore'; weight: number; from: 'operator'; saved?: SavedWeight }
  | { action: 'leave'; acknowledged: boolean; saved?: SavedWeight };

/** What the planner was given about the live world (read-only observation). */
export interface ObservedInventory {
  /** ISO time of the observation; shown in the runbook, not part of the plan hash. */
  observedAt: string;
  region: string;
  /** Absent when the workflow creates a load balancer that does not exist yet. */
  loadBalancer?: LoadBalancerInfo & { listenerDetails: Listener[]; health: BackendHealthStatus[] };
  /** Every instance the workflow names or selects, as the cloud describes it. */
  instances: InstanceInfo[];
  dns?: { record?: DnsRecord; minimumTtl: number; nameServers: string[] };
  /** The Redis of `inventory.redis` (a cluster, or a master under Sentinel), as it described itself. */
  redis?: RedisClusterView | RedisSentinelView;
}

/**
 * A value known only at run time. `loadBalancer.id` / `loadBalancer.address` come from the
 * result of the `lb.create` step (or the existing balancer).
 */
export type Ref = { ref: 'loadBalancer.id' } | { ref: 'loadBalancer.address' };
export type MaybeRef<T> = T | Ref;

/**
 * One place a server of a fleet plan serves from: a balancer's default server group, or one
 * port of it in a vServer group (a server in one group on two ports is two attachments), with
 * the weight observed at plan time. The engine records the live weight of each before changing
 * it, and restores each to its own recorded weight.
 */
export interface PlanAttachment {
  loadBalancerId: string;
  /** Absent: the balancer's default server group. */
  vServerGroupId?: string;
  /** The member's port in the vServer group; only with `vServerGroupId`. */
  port?: number;
  weight: number;
  /** For people: `core (lb-core), vServer group api (rsp-1) port 8080`. */
  label: string;
}

/** How a node is reached for commands: Cloud Assistant by instance id, or SSH. */
export type HostTarget =
  /** `language: powershell` on a Windows instance (Cloud Assistant's RunPowerShellScript). */
  | { kind: 'ecs'; instanceId: string; language?: 'powershell' }
  | {
      kind: 'ssh';
      address: string;
      port: number;
      username: string;
      privateKeyPath?: string;
      knownHostsPath?: string;
      hostKeyFingerprint?: string;
    }
  | { kind: 'local' };

export type VerifyExpectation =
  | { kind: 'changed' }
  /** The output is the baseline captured before the patch: the old version runs again. */
  | { kind: 'baseline' }
  | { kind: 'equals'; value: string }
  | { kind: 'matches'; pattern: string };

/**
 * The workflow's `patch.neededWhen`: a read-only command whose exit code says whether a node
 * needs the patch — 0: it is current; `exitCode`: it needs it; anything else: cannot tell
 * (fails closed).
 */
export interface NeededCheck {
  command: string;
  exitCode: number;
  timeoutSeconds: number;
}

/**
 * The workflow's `drain.releaseConnections`: a command run on a node at weight 0 that makes it
 * let its keep-alive connections go without failing a request (`nginx -s reload`), so clients
 * reconnect through the balancer instead of staying until the server's keep-alive limits end
 * their connections. A failure fails nothing: the connections then end by themselves.
 */
export interface ReleaseConnections {
  host: HostTarget;
  command: string;
  timeoutSeconds: number;
}

/** Each action with its parameters. The engine switches on `action`. */
export type StepAction =
  // --- prepare: build the load balancer and move DNS (the seed's first half) -----------------
  | { action: 'lb.create'; params: { request: CreateLoadBalancerRequest } }
  | {
      action: 'lb.ensure-listener';
      params: { loadBalancerId: MaybeRef<string>; listener: ListenerConfig };
    }
  | {
      action: 'lb.add-backends';
      params: { loadBalancerId: MaybeRef<string>; backends: BackendWeight[] };
    }
  | {
      action: 'lb.start-listener';
      params: { loadBalancerId: MaybeRef<string>; port: number; protocol: ListenerProtocol };
    }
  | {
      /** `curl --resolve` through the balancer, and the balancer's health view of each backend. */
      action: 'lb.verify-path';
      params: {
        loadBalancerId: MaybeRef<string>;
        address: MaybeRef<string>;
        port: number;
        protocol: ListenerProtocol;
        hostHeader?: string;
        path: string;
        expectStatus: number[];
        serverIds: string[];
        timeoutSeconds: number;
        /**
         * How the path is proven: `http` requests `path` through the balancer and expects one of
         * `expectStatus` (also behind a tcp listener in front of an HTTP service); `tcp` only
         * opens a connection. Decided by the planner, which knows the workflow. Absent (plans
         * journaled before this field): `http` for http/https listeners, else `tcp`.
         */
        check?: 'http' | 'tcp';
      };
    }
  | {
      action: 'dns.set-ttl';
      params: {
        domain: string;
        rr: string;
        type: string;
        recordId: string;
        value: string;
        fromTtl: number;
        toTtl: number;
      };
    }
  | {
      action: 'dns.point';
      params: {
        domain: string;
        rr: string;
        type: string;
        recordId?: string;
        /** The record before the change: the inverse points it back here. */
        from?: { value: string; ttl: number };
        to: { value: MaybeRef<string>; ttl: number };
      };
    }
  | {
      /** Confirm through the API and by resolving against the zone's name servers. */
      action: 'dns.verify';
      params: {
        domain: string;
        rr: string;
        type: string;
        expect: MaybeRef<string>;
        nameServers: string[];
        timeoutSeconds: number;
      };
    }
  | { action: 'wait'; params: { seconds: number; reason: string } }
  | {
      /**
       * The canary's bake (bake-step.ts): after the first batch, hold `seconds` watching every
       * server's access log (`watch`) for the 5xx rate and the balancer's health view; outside
       * the limits the canary's patches are rolled back and the rollout halts.
       */
      action: 'canary.bake';
      params: {
        loadBalancerId: MaybeRef<string>;
        canary: string[];
        seconds: number;
        max5xxRate: number;
        minRequests: number;
        /** The bake's limit on the 95th percentile of the logs' request time; absent: not judged. */
        maxLatencyMs?: number;
        watch: Array<{ serverId: string; probe: TrafficProbeConfig }>;
        healthPollSeconds: number;
      };
    }
  // --- rollout: one node at a time within a batch ---------------------------------------------
  | {
      /** Checked right before a node leaves service; fails closed. */
      action: 'gate';
      params: {
        loadBalancerId: MaybeRef<string>;
        /** Healthy, weighted backends that must remain after this node goes to weight 0. */
        minHealthy: number;
        maxUnavailable: number;
        group?: string;
        /** Nodes that must not be out of service at the same time as this one. */
        groupPeers: string[];
        /** ISO end of the maintenance window, if any. */
        windowEnd?: string;
        /** Expected seconds for this node from drain to restored, compared with the window. */
        expectedNodeSeconds: number;
        /**
         * How long a gate blocked on capacity waits for it to clear; absent: the default
         * (engine/steps/gate-step.ts), so plans of workflows that do not set it are unchanged.
         */
        patienceSeconds?: number;
      };
    }
  | {
      action: 'hook';
      params: {
        when: 'before' | 'after';
        host: HostTarget;
        command: string;
        timeoutSeconds: number;
      };
    }
  | {
      /** Runs the verify command before the patch and records its output as the baseline. */
      action: 'node.capture-baseline';
      params: {
        host: HostTarget;
        command: string;
        timeoutSeconds: number;
        /**
         * The workflow's `patch.verify.skipIfCompliant`: when the baseline already satisfies this
         * expectation (`equals`/`matches`, never `changed`), the node is skipped — no drain, no
         * patch, no reboot — and reported `skipped`. Absent: the output alone never skips it.
         */
        skipIfCompliant?: VerifyExpectation;
        /**
         * The workflow's `patch.neededWhen`, asked right after the baseline when skipping is on:
         * a node no check calls needed (and that satisfies `skipIfCompliant`, when present) is
         * skipped; a check that cannot answer fails the step with the node untouched. With
         * neither field the node is always maintained.
         */
        neededWhen?: NeededCheck[];
        /**
         * The `neededWhen` checks are asked only to record how the node was found, never to
         * skip it (skipping is off, or it is bound for a saved weight): `node.verify` accepts an
         * unchanged output as "already current" only from a node they found current.
         */
        neverSkip?: true;
      };
    }
  | {
      action: 'node.drain';
      params: {
        loadBalancerId: MaybeRef<string>;
        serverId: string;
        /** The weight observed at plan time; the engine records the live one before changing it. */
        expectedWeight: number;
        /**
         * A fleet plan's node: every attachment, set to weight 0 at once. `loadBalancerId` and
         * `expectedWeight` then name the first of them; the engine acts on these.
         */
        attachments?: PlanAttachment[];
      };
    }
  | {
      /** Right after the drain, at weight 0: the node lets its keep-alive connections go. */
      action: 'node.release-connections';
      params: ReleaseConnections;
    }
  | {
      action: 'node.wait-drained';
      params: {
        probe: TrafficProbeConfig | { kind: 'none'; waitSeconds: number };
        quietSeconds: number;
        timeoutSeconds: number;
        onTimeout: 'halt' | 'proceed';
      };
    }
  | {
      action: 'node.patch';
      params: { host: HostTarget; commands: string[]; timeoutSeconds: number };
    }
  | {
      /**
       * One step of nginx's binary hot upgrade on the node (the workflow's patch kind
       * `nginx-hot-upgrade`); every step of one node carries the same settings.
       */
      action: 'node.nginx-upgrade';
      params: { host: HostTarget; step: NginxUpgradeStepName; upgrade: NginxUpgradeSettings };
    }
  | {
      /**
       * Before the patch, records what a rollback returns to: the output of `command` (the
       * running kernel, for a kernel rollback), journaled as the step's data.
       */
      action: 'node.rollback-point';
      params: {
        host: HostTarget;
        command: string;
        timeoutSeconds: number;
        /** What to keep of the output: the newest id of a `yum history list` table. Absent: all of it. */
        read?: 'transaction-id';
      };
    }
  | {
      /**
       * The first step of the patch's rollback: the workflow's rollback commands, each
       * `{previous}` replaced by what `node.rollback-point` recorded (a kernel rollback:
       * `grubby --set-default /boot/vmlinuz-{previous}`).
       */
      action: 'node.rollback-patch';
      params: {
        host: HostTarget;
        kind: 'kernel' | 'packages' | 'custom';
        commands: string[];
        timeoutSeconds: number;
      };
    }
  | { action: 'node.reboot'; params: { host: HostTarget; timeoutSeconds: number } }
  | {
      action: 'node.wait-healthy';
      params: {
        checks: HealthCheckSpec[];
        consecutiveSuccesses: number;
        intervalSeconds: number;
        timeoutSeconds: number;
        /**
         * The balancer's own health view of this node when the balancer is created by this run
         * (its id is a Ref, which a HealthCheckSpec cannot hold). Resolve the id, then check
         * these like `{ kind: 'load-balancer', ... }` entries of `checks`. With an existing
         * balancer such checks are in `checks` and this is absent.
         */
        balancerChecks?: Array<{
          loadBalancerId: MaybeRef<string>;
          serverId: string;
          listenerPort?: number;
        }>;
      };
    }
  | {
      /**
       * A workflow gate of a stateful system (`gates.before` / `gates.after`): asked every
       * `intervalSeconds` until it passes, for at most `timeoutSeconds`; then it blocks.
       */
      action: 'node.state-gate';
      params: {
        when: 'before' | 'after';
        name: string;
        check: StateGateCheck;
        intervalSeconds: number;
        timeoutSeconds: number;
      };
    }
  | {
      /**
       * `member.redis.backup`: BGSAVE on the node, wait until LASTSAVE changes, then copy its RDB
       * file (`CONFIG GET dir` + `dbfilename`) into `dir` on the host, its sha256 journaled.
       */
      action: 'redis.backup';
      params: RedisMemberTarget & {
        host: HostTarget;
        dir: string;
        timeoutSeconds: number;
      };
    }
  | {
      /**
       * Before the drain: if the node is a master when its turn comes, CLUSTER FAILOVER on an
       * in-sync replica of it, and wait until both see the roles swapped and cluster_state ok.
       */
      action: 'redis.failover';
      params: RedisMemberTarget & {
        /** A replica at most this many bytes behind its master is in sync. */
        maxLagBytes: number;
        timeoutSeconds: number;
      };
    }
  | {
      /**
       * Once back: a replica with its link up, not syncing, at the master's offset as read when
       * the wait began, and cluster_state ok on every node of the cluster.
       */
      action: 'redis.rejoin';
      params: RedisMemberTarget & {
        intervalSeconds: number;
        timeoutSeconds: number;
      };
    }
  | {
      action: 'node.verify';
      params: {
        host: HostTarget;
        command: string;
        expect: VerifyExpectation;
        timeoutSeconds: number;
        /**
         * With `expect: changed` only: when the output is unchanged, these checks decide — none
         * calls the patch needed: it had nothing to do (the node was already current) and the
         * node goes on to its ramp; otherwise it stays out, `unpatched`. Absent: unchanged is
         * unpatched.
         */
        neededWhen?: NeededCheck[];
      };
    }
  | {
      action: 'node.restore';
      params: {
        loadBalancerId: MaybeRef<string>;
        serverId: string;
        /**
         * Ramp to this weight instead of the recorded original: brings a backend that was added
         * at weight 0 into service (the seed's new server), or a server found at weight 0 back
         * to the weight a run saved for it or the operator gave (`PlanNode.atZero`).
         */
        targetWeight?: number;
        /**
         * A fleet plan's node: every attachment, each ramped back to its own recorded weight in
         * the same steps. `loadBalancerId` then names the first of them.
         */
        attachments?: PlanAttachment[];
        /** Percent of the recorded original weight, ascending, ending at 100. */
        rampPercent: number[];
        holdSeconds: number;
        /** Above this 5xx rate during a hold, the node goes back to weight 0 and the run halts. */
        max5xxRate: number;
        /** Fewer requests than this in a hold cannot judge the rate (inconclusive). */
        minRequests: number;
        /**
         * How much longer a hold with fewer than `minRequests` goes on watching. Absent in plans
         * written before it existed (read as 0, engine/steps/ramp-hold.ts).
         */
        extendSeconds?: number;
        /**
         * Still inconclusive after the extension: `halt` (back to 0, named, the run halts) or
         * `continue` (with a warning). Absent in plans written before it existed (read as `halt`).
         */
        onInconclusive?: 'halt' | 'continue';
        probe: TrafficProbeConfig | { kind: 'none' };
        /**
         * Run after the failure policy takes the node back to weight 0 (the undo of its ramp):
         * clients on connections it opened during the ramp leave it at once.
         */
        releaseConnections?: ReleaseConnections;
      };
    };

export type StepActionName = StepAction['action'];

/** The Redis node a `redis.*` step acts on (`member.redis`). */
export interface RedisMemberTarget {
  /** `host:port` of the node on this server. */
  address: string;
  /** AUTH password (registered as a secret: masked in the journal, the plan rebuilt on resume). */
  password?: string;
  /** Seconds one command to a node may take. */
  commandTimeoutSeconds: number;
  /** A node under Sentinel: the sentinels and the master's name (absent for a cluster node). */
  sentinel?: { sentinels: string[]; masterName: string };
}

/** What a state gate asks: a command's exit code (and output), or an HTTP answer. */
export type StateGateCheck =
  | {
      kind: 'command';
      host: HostTarget;
      command: string;
      exitCode: number;
      /** Regular expression the output must also match. */
      outputMatches?: string;
      timeoutSeconds: number;
    }
  | Extract<HealthCheckSpec, { kind: 'http' }>;

export type StepPhase = 'prepare' | 'rollout' | 'finish';

export type StepInverse =
  | { kind: 'inverse'; action: StepActionName; description: string }
  | { kind: 'irreversible'; reason: string }
  /** Read-only steps (gates, waits, verifications) change nothing. */
  | { kind: 'none' };

export type Step = StepAction & {
  /** Stable within the plan: `s012-node.drain-i-abc`. */
  id: string;
  index: number;
  phase: StepPhase;
  /** Rollout batch; steps of one batch may run concurrently, one sequence per node. */
  batch?: number;
  /** Instance id of the node this step is about. */
  node?: string;
  /** One line for the runbook: "Set i-abc (web-1) weight 100 → 0 on lb-xyz". */
  description: string;
  mutates: boolean;
  inverse: StepInverse;
  expectedSeconds: number;
  /**
   * One of the steps that roll a node's patch back (its `node.patch` step's undo): they run
   * only when the patch is rolled back, after a failed health check, verify or ramp, and are
   * not counted in the estimates.
   */
  rollback?: true;
};

export interface PlanNode {
  id: string;
  name: string;
  address?: string;
  group?: string;
  batch: number;
  /** Weight at plan time (the engine re-reads and records the live one before changing it). */
  weight: number;
  /** Only for a server found at weight 0 that the workflow does not bring into service. */
  atZero?: AtZeroDecision;
  /**
   * Found serving below the weight a run saved for it (that run stopped during its ramp): it
   * is on its way back there, so it is maintained like the others — never skipped — and
   * restored to `belowSaved.weight`, the saved weight kept on the balancer until then.
   */
  belowSaved?: SavedWeight;
}

/** The rollout's safety budget as the gates apply it (also in each gate step's params). */
export interface PlanRolloutPolicy {
  maxUnavailable: number;
  minHealthy: number;
  /** ISO end of the maintenance window. */
  windowEnd?: string;
}

/**
 * The workflow's `alertGate`: asked right before each node leaves service (in its gate step);
 * while it blocks, the node waits, asking again every `pollSeconds`, for at most
 * `maxWaitMinutes`, after which the rollout halts with the node untouched.
 */
export interface PlanAlertGate extends AlertGateQuery {
  maxWaitMinutes: number;
  pollSeconds: number;
}

export interface Plan {
  schemaVersion: typeof PLAN_SCHEMA_VERSION;
  workflow: { name: string; file: string; sha256: string };
  region: string;
  /**
   * The balancer this plan holds the lock on: existing id, or created by name. `selfRun`: nginx
   * or HAProxy you run yourself, the workflow section its adapter is built from (the engine
   * never reads it; the composition root does).
   */
  loadBalancer:
    | { id: string; name: string; create: false; selfRun?: SelfRunBalancerSection }
    | { id?: undefined; name: string; create: true };
  /**
   * A fleet plan: every balancer its servers are attached to, by id, each locked by the run;
   * `loadBalancer` is then the first of them. Absent in a plan of one balancer.
   */
  balancers?: Array<{ id: string; name: string }>;
  nodes: PlanNode[];
  batches: Array<{ index: number; nodes: string[] }>;
  steps: Step[];
  /**
   * After the first node that fails (drain timeout, patch failure, no boot, unhealthy, unpatched,
   * bad ramp) the rollout halts and nodes not yet started stay untouched. Absent means true.
   * Gate blocks, drift and aborts always halt, whatever this says.
   */
  stopOnFailure?: boolean;
  estimate: { totalSeconds: number };
  /** The rollout's policy, resolved to counts (percents of the workflow already applied). */
  rollout?: PlanRolloutPolicy;
  /**
   * What the planner found already true and therefore left out (a re-run: "load balancer
   * web-slb exists (lb-1)", "listener tcp:8080 is running"), for the runbook.
   */
  notes?: string[];
  /** The operator's choices for servers found at weight 0, when any were given. */
  zeroWeightChoices?: ZeroWeightChoices;
  /** The alert gate every node's gate step asks first, when the workflow has one. */
  alertGate?: PlanAlertGate;
  /** The observation the plan was made from; not hashed (it holds a timestamp). */
  inventory: ObservedInventory;
  /** sha256 (hex) of the canonical JSON of every field above except `inventory`. */
  sha256: string;
}
