/**
 * The composition root: builds the ports from the environment it is handed. For a run, Alibaba
 * Cloud for the balancer (or nginx or HAProxy you run yourself, when the workflow or the plan
 * names one), DNS and ECS hosts (one endpoint when DRAINCTL_CLOUD_ENDPOINT names the
 * emulator), SSH hosts for machines outside the cloud, the local shell for `local` hooks, the
 * access-log and connection probes, health checks, the alert gate (Prometheus), the system clock;
 * for `plan` and `inspect`, the cloud ports they observe through; for `watch`, one access-log
 * probe. Nothing else in drainctl decides which adapter serves a port: the rest of src/app gets
 * its ports from here.
 */

import {
  type CloudPorts,
  cloudPortsOptionsFrom,
  createCloudPorts,
  loadBalancerOnFirstCall,
} from '../adapters/index.js';
import type { BalancerStateFile } from '../adapters/local/balancer-state-file.js';
import { compressedClock } from '../adapters/local/compressed-clock.js';
import { createLocalHost, LOCAL_INSTANCE_ID } from '../adapters/local/local-host.js';
import { systemClock } from '../adapters/local/system-clock.js';
import { createNginxUpgrade } from '../adapters/nginx/hot-upgrade-steps.js';
import type { NginxFileBaseline } from '../adapters/nginx/index.js';
import { ioredisMemberClient } from '../adapters/redis/ioredis-member.js';
import { ioredisObserver } from '../adapters/redis/ioredis-observer.js';
import type { SelfRunTagStore } from '../adapters/self-run-balancer.js';
import { createSshHost, shellQuote } from '../adapters/ssh/index.js';
import { prometheusAlertGate } from '../alert-gate/index.js';
import { type DrainctlEnvironment, databaseUrlFrom } from '../config/index.js';
import type {
  DrainProgressEvent,
  EngineOptions,
  EnginePorts,
  JournalEntry,
} from '../engine/index.js';
import { DrainctlError, ExitCode } from '../errors/index.js';
import { type Logger, registerSecret } from '../log/index.js';
import { hostInstanceId } from '../plan/host-target.js';
import { type SelfRunBalancerSection, selfRunBalancer } from '../plan/self-run-balancer.js';
import type { HostTarget, Plan } from '../plan/types.js';
import type {
  Clock,
  CloudCallEvent,
  CloudRetryEvent,
  CloudRetryFeed,
  Host,
  InstanceInfo,
  LoadBalancer,
  LogFormat,
  LogSource,
  RateBuckets,
  ScheduleQueue,
  SharedStorage,
  TrafficFilter,
} from '../ports/index.js';
import {
  type AccessLogProbe,
  type AccessLogProbeOptions,
  openAccessLogProbe,
} from '../probes/access-log/access-log-probe.js';
import { openSshFollower } from '../probes/access-log/ssh-follower.js';
import { createHealthChecker } from '../probes/health/index.js';
import { createTrafficProbeFactory } from '../probes/traffic-probe-factory.js';
import type { BalancerHostSpec, KeepalivedBalancerSpec, WorkflowSpec } from '../workflow/index.js';
import type { FleetPorts } from './observe-fleet.js';
import type { InventoryPorts } from './observe-inventory.js';

/** This machine's clock, for the use cases that time themselves (`watch`, the demo). */
export { systemClock };

/**
 * An emulator on loopback answers in microseconds and never throttles: poll it briskly, so
 * rehearsals and tests do not spend their time in the real cloud's polling intervals.
 */
const LOOPBACK_WAITS = {
  slb: { pollIntervalMs: 200 },
  ecs: { commandPollMs: 100, commandPollMaxMs: 500, statusPollMs: 200 },
};

function isLoopback(endpoint: URL | undefined): boolean {
  return endpoint !== undefined && /^(127\.|localhost$|\[::1\]$)/.test(endpoint.hostname);
}

/**
 * Keys given in the environment this runtime was handed (which may not be process.env, for the
 * programmatic API); without them the default credential chain decides (profiles, RAM role…).
 */
function keysFrom(env: NodeJS.ProcessEnv) {
  const accessKeyId = env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const accessKeySecret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  if (!accessKeyId || !accessKeySecret) return {};
  const securityToken = env.ALIBABA_CLOUD_SECURITY_TOKEN;
  return {
    credentials: { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) },
  };
}

/**
 * The passphrase of an encrypted SSH key, from the environment this runtime was handed (never
 * read inside the adapters), registered as a secret before anything can log it. Both SSH uses
 * get it: hosts reached over SSH and access logs tailed over SSH.
 */
export function sshPassphraseFrom(env: NodeJS.ProcessEnv): string | undefined {
  const passphrase = env.DRAINCTL_SSH_PASSPHRASE;
  if (passphrase === undefined || passphrase === '') return undefined;
  registerSecret(passphrase);
  return passphrase;
}

export interface RuntimeOptions {
  environment: DrainctlEnvironment;
  /** The workflow's (or the plan's) region; else ALIBABA_CLOUD_REGION_ID. */
  region: string | undefined;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  /** Told of every cloud request's answer (`drainctl serve`'s metrics). */
  onCloudCall?: (event: CloudCallEvent) => void;
  /**
   * drainctl's clock runs this many times as fast as the wall (a rehearsal's waits, holds and
   * timeouts on its mirror); default: the system clock as it is.
   */
  timeCompression?: number;
  /** Replicas: the API rate limits' buckets, shared through the database. */
  rateBuckets?: RateBuckets;
}

export interface Runtime {
  ports: EnginePorts;
  cloud: CloudPorts;
}

/**
 * @example
 *   const { ports } = createRuntime({ environment: ctx.environment(), region: 'cn-hangzhou', logger, env: process.env });
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const clock =
    options.timeCompression === undefined ? systemClock : compressedClock(options.timeCompression);
  const retries = retryFeed();
  const cloud = createCloudPorts(
    cloudPortsOptionsFrom(options.environment, options.region, {
      logger: options.logger,
      clock,
      ...keysFrom(options.env),
      ...(isLoopback(options.environment.cloudEndpoint) ? { waits: LOOPBACK_WAITS } : {}),
      ...(options.rateBuckets === undefined ? {} : { rateBuckets: options.rateBuckets }),
      retry: {
        onRetry: retries.tell,
        ...(options.onCloudCall === undefined ? {} : { onCall: options.onCloudCall }),
      },
    }),
  );
  const local = createLocalHost({ env: options.env });
  const sshPassphrase = sshPassphraseFrom(options.env);
  const sshHosts = new Map<string, Host>();
  const host = (target: HostTarget): Host => {
    switch (target.kind) {
      case 'ecs':
        return cloud.host;
      case 'local':
        return local;
      case 'ssh': {
        const id = hostInstanceId(target);
        let ssh = sshHosts.get(id);
        if (ssh === undefined) {
          ssh = createSshHost({
            clock,
            env: options.env,
            nodes: {
              [id]: {
                host: target.address,
                port: target.port,
                username: target.username,
                ...(target.privateKeyPath === undefined
                  ? {}
                  : { privateKeyPath: target.privateKeyPath }),
                ...(target.knownHostsPath === undefined
                  ? {}
                  : { knownHostsPath: target.knownHostsPath }),
                ...(target.hostKeyFingerprint === undefined
                  ? {}
                  : { hostKeyFingerprint: target.hostKeyFingerprint }),
                ...(sshPassphrase === undefined ? {} : { passphrase: sshPassphrase }),
              },
            },
          });
          sshHosts.set(id, ssh);
        }
        return ssh;
      }
    }
  };
  return {
    cloud,
    ports: {
      loadBalancer: cloud.loadBalancer,
      attachments: cloud.attachments,
      dns: cloud.dns,
      dnsResolver: cloud.resolver,
      host,
      trafficProbes: createTrafficProbeFactory({
        clock,
        host: cloud.host,
        env: options.env,
        ...(sshPassphrase === undefined ? {} : { sshPassphrase }),
      }),
      health: createHealthChecker({ loadBalancer: cloud.loadBalancer }),
      clock,
      alertGate: prometheusAlertGate(),
      nginxUpgrade: createNginxUpgrade(clock),
      // ioredis itself loads on the first `redis.*` step.
      redis: ioredisMemberClient(clock),
      cloudRetries: retries,
    },
  };
}

/** The cloud adapters' retries, passed on to whoever listens (a run journals them). */
function retryFeed(): CloudRetryFeed & { tell: (event: CloudRetryEvent) => void } {
  const listeners = new Set<(event: CloudRetryEvent) => void>();
  return {
    tell: (event) => {
      for (const listener of listeners) listener(event);
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * The cloud ports `plan` and `inspect` observe through (read-only): Alibaba Cloud in the
 * workflow's region, credentials from the default chain. `rateBuckets`: replicas' planning draws
 * from the account's shared limits, as their runs do.
 */
export function observationPorts(
  environment: DrainctlEnvironment,
  region: string | undefined,
  logger: Logger | undefined,
  onCloudCall?: (event: CloudCallEvent) => void,
  rateBuckets?: RateBuckets,
): InventoryPorts & FleetPorts {
  return createCloudPorts(
    cloudPortsOptionsFrom(environment, region, {
      ...(logger === undefined ? {} : { logger }),
      ...(onCloudCall === undefined ? {} : { retry: { onCall: onCloudCall } }),
      ...(rateBuckets === undefined ? {} : { rateBuckets }),
    }),
  );
}

export interface AccessLogWatchOptions {
  source: LogSource;
  format: LogFormat;
  filter: TrafficFilter;
  clock: Clock;
  /** Where DRAINCTL_SSH_PASSPHRASE is read from, for an encrypted key of an ssh:// log. */
  env: NodeJS.ProcessEnv;
  onEvent: AccessLogProbeOptions['onEvent'];
}

/** The access-log probe `drainctl watch` follows on its own: a local file, or tailed over SSH. */
export function openAccessLogWatch(options: AccessLogWatchOptions): Promise<AccessLogProbe> {
  const passphrase = sshPassphraseFrom(options.env);
  const { clock } = options;
  return openAccessLogProbe({
    source: options.source,
    format: options.format,
    filter: options.filter,
    clock,
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    openRemote: (source, sink) =>
      openSshFollower(
        {
          host: source.host,
          port: source.port,
          username: source.username,
          ...(source.privateKeyPath ? { privateKeyPath: source.privateKeyPath } : {}),
          ...(source.knownHostsPath ? { knownHostsPath: source.knownHostsPath } : {}),
          ...(source.hostKeyFingerprint ? { hostKeyFingerprint: source.hostKeyFingerprint } : {}),
          ...(passphrase === undefined ? {} : { passphrase }),
        },
        source.path,
        sink,
        { clock },
      ),
  });
}

/** What a use case that runs a plan is given besides the plan (`run`, `resume`). */
export interface RunWiring {
  /** DRAINCTL_HOME: runs and locks live here. */
  home: string;
  environment: DrainctlEnvironment;
  /** Credentials, the SSH key's passphrase and the environment of `local` hooks. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** The world to act on; default: the adapters the environment selects for the plan's region. */
  ports?: EnginePorts;
  /** Abort it to stop the run safely (like SIGTERM): it ends halted with every node reported. */
  signal?: AbortSignal;
  /** Take over a lock whose holder cannot be proven alive (`--break-lock`). */
  breakStaleLock?: boolean;
  /** Told of each journal entry once it is durable (the crash tests' hook, `crashHookFromEnv`). */
  afterAppend?: (entry: JournalEntry) => void;
  /** Who asked for the run or its resume, journaled with it (`drainctl serve`: the token's name). */
  by?: string;
  /** Told of every cloud request's answer (`drainctl serve`'s metrics). */
  onCloudCall?: (event: CloudCallEvent) => void;
  /** Told about once a second how a drain wait stands (`drainctl serve`'s live page). */
  onDrainProgress?: (event: DrainProgressEvent) => void;
  /** Journals and leases in the database replicas share (`openReplicaStorage`); else files. */
  shared?: SharedStorage;
  /** Abort it to hand the run over to another replica (see EngineOptions.handover). */
  handover?: AbortSignal;
}

/**
 * The engine's options for a run of `plan`: its ports built here unless given, with the balancer
 * you run yourself in place of the SLB when the plan names one.
 */
export function engineOptionsFor(wiring: RunWiring, plan: Plan): EngineOptions {
  const ports = wiring.ports ?? runPorts(wiring, plan);
  return {
    home: wiring.home,
    ports,
    logger: wiring.logger,
    ...(wiring.signal ? { signal: wiring.signal } : {}),
    breakStaleLock: wiring.breakStaleLock === true,
    ...(wiring.by === undefined ? {} : { by: wiring.by }),
    ...(wiring.afterAppend ? { journal: { afterAppend: wiring.afterAppend } } : {}),
    ...(wiring.onDrainProgress ? { onDrainProgress: wiring.onDrainProgress } : {}),
    ...(wiring.shared ? { shared: wiring.shared } : {}),
    ...(wiring.handover ? { handover: wiring.handover } : {}),
  };
}

/** What replicas of `drainctl serve` share: journals, leases, schedule state, the schedule queue. */
export interface ReplicaStorage {
  shared: SharedStorage;
  queue: ScheduleQueue;
  close(): Promise<void>;
}

/**
 * Connect to the database replicas share (migrating its schema under an advisory lock). The
 * PostgreSQL client loads only here. The URL's password is registered as a secret first.
 */
export async function openSharedStorage(url: string, logger?: Logger): Promise<SharedStorage> {
  const password = (() => {
    try {
      return decodeURIComponent(new URL(url).password);
    } catch {
      return '';
    }
  })();
  if (password !== '') registerSecret(password);
  const { openPostgresStorage } = await import('../adapters/postgres/postgres-storage.js');
  return openPostgresStorage(url, {
    onConnectionError: (error) =>
      logger?.warn({ err: error }, `database connection lost: ${error.message}`),
  });
}

/**
 * Where a command keeps and reads runs: the database replicas share when DRAINCTL_DATABASE_URL
 * is set (connected for the length of `use`), else DRAINCTL_HOME's files (`use` gets undefined).
 * Every CLI command decides here, so a run one replica started can be followed, resumed, aborted
 * and reported from any machine that reaches the database.
 */
export async function withRunStorage<T>(
  environment: DrainctlEnvironment,
  logger: Logger | undefined,
  use: (shared: SharedStorage | undefined) => Promise<T>,
): Promise<T> {
  if (environment.databaseUrl === undefined) return use(undefined);
  const shared = await openSharedStorage(environment.databaseUrl, logger);
  try {
    return await use(shared);
  } finally {
    await shared.close();
  }
}

/**
 * The API rate buckets an observation (`plan`, `inspect`, a rehearsal's look at the account)
 * draws from: the ones every replica shares when DRAINCTL_DATABASE_URL is set (connected for the
 * length of `use`), as runs do, else undefined (the process's own).
 */
export function withObservationBuckets<T>(
  environment: DrainctlEnvironment,
  logger: Logger | undefined,
  use: (rateBuckets: RateBuckets | undefined) => Promise<T>,
): Promise<T> {
  return withRunStorage(environment, logger, (shared) => use(shared?.rateBuckets));
}

/**
 * Connect to DRAINCTL_DATABASE_URL (migrating its schema under an advisory lock) and start the
 * job engine's queue; undefined without the variable. The PostgreSQL client and pg-boss load
 * only here, so commands that never need them never load them.
 */
export async function openReplicaStorage(
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<ReplicaStorage | undefined> {
  const url = databaseUrlFrom(env);
  if (url === undefined) return undefined;
  const shared = await openSharedStorage(url, logger);
  const { openScheduleQueue } = await import('../adapters/postgres/schedule-queue.js');
  const queue = await openScheduleQueue(url, {
    onError: (error) => logger.warn({ err: error }, `schedule queue: ${error.message}`),
  }).catch(async (error: unknown) => {
    await shared.close().catch(() => undefined);
    throw error;
  });
  return {
    shared,
    queue,
    async close() {
      await queue.stop();
      await shared.close();
    },
  };
}

function runPorts(wiring: RunWiring, plan: Plan): EnginePorts {
  const { ports } = createRuntime({
    environment: wiring.environment,
    region: plan.region,
    logger: wiring.logger,
    env: wiring.env,
    ...(wiring.onCloudCall === undefined ? {} : { onCloudCall: wiring.onCloudCall }),
    ...(wiring.shared === undefined ? {} : { rateBuckets: wiring.shared.rateBuckets }),
  });
  const loadBalancer = planBalancer(plan, wiring);
  if (loadBalancer === undefined) return ports;
  return { ...ports, loadBalancer, health: createHealthChecker({ loadBalancer }) };
}

/** The API quotas drainctl's limiters default to, every product's actions in one table. */
export async function documentedRateLimits(): Promise<
  Record<string, { calls: number; perSeconds: number }>
> {
  const { DOCUMENTED_RATE_LIMITS } = await import('../adapters/aliyun/index.js');
  return Object.assign({}, ...Object.values(DOCUMENTED_RATE_LIMITS));
}

/** What a balancer you run yourself is built from: its workflow section and the run's servers. */
export type SelfRunBalancerSpec = SelfRunBalancerSection;

export interface SelfRunBalancerOptions {
  /** The id the run knows the balancer by. */
  id: string;
  /** The run's servers: an nginx server line is matched by `privateIp:port`. */
  instances: InstanceInfo[];
  /** Where DRAINCTL_SSH_PASSPHRASE is read from, for an encrypted key of an SSH host. */
  env: NodeJS.ProcessEnv;
  clock?: Clock;
  /**
   * DRAINCTL_HOME: the balancer's lock and saved weights (its tags) and what drainctl knows of
   * each nginx host's file live in `balancers/` there. Without it the balancer has no tags.
   */
  home?: string;
  /**
   * Only looking (`plan`, `inspect`): an nginx change a run left unfinished is not settled (that
   * reloads nginx); the file is read as it is.
   */
  observeOnly?: boolean;
}

/** How long drainctl waits for a server to accept a connection when it judges nginx's servers. */
const NGINX_SERVER_CHECK_MS = 2000;

/**
 * The LoadBalancer port on nginx or HAProxy you run yourself (docs/load-balancers.md): each
 * balancer host is the local shell or an SSH host, as patches reach theirs; the tags neither has
 * and the nginx files' baselines are kept in DRAINCTL_HOME (`balancerStateFile`).
 */
export async function selfRunLoadBalancer(
  spec: SelfRunBalancerSpec,
  options: SelfRunBalancerOptions,
): Promise<LoadBalancer> {
  const clock = options.clock ?? systemClock;
  const passphrase = sshPassphraseFrom(options.env);
  const reach = (host: BalancerHostSpec): { name: string; host: Host; instanceId: string } => {
    if (host === 'local') {
      return {
        name: 'local',
        host: createLocalHost({ env: options.env }),
        instanceId: LOCAL_INSTANCE_ID,
      };
    }
    const port = host.port ?? 22;
    const name = `ssh://${host.user}@${host.address}:${port}`;
    const node = {
      host: host.address,
      port,
      username: host.user,
      ...(host.privateKey === undefined ? {} : { privateKeyPath: host.privateKey }),
      ...(host.knownHosts === undefined ? {} : { knownHostsPath: host.knownHosts }),
      ...(host.hostKeyFingerprint === undefined
        ? {}
        : { hostKeyFingerprint: host.hostKeyFingerprint }),
      ...(passphrase === undefined ? {} : { passphrase }),
    };
    return {
      name,
      host: createSshHost({ clock, env: options.env, nodes: { [name]: node } }),
      instanceId: name,
    };
  };
  const { balancerStateFile } = await import('../adapters/local/balancer-state-file.js');
  if (spec.kind === 'nginx') {
    const { createNginxLoadBalancer, sha256Of } = await import('../adapters/nginx/index.js');
    const nginx = spec.nginx;
    const byPort =
      nginx.port === undefined
        ? {}
        : Object.fromEntries(
            options.instances
              .filter((instance) => instance.privateIp !== undefined)
              .map((instance) => [instance.id, `${instance.privateIp}:${nginx.port}`]),
          );
    const state =
      options.home === undefined
        ? undefined
        : balancerStateFile<NginxFileBaseline>(options.home, options.id);
    const health = createHealthChecker();
    return createNginxLoadBalancer({
      id: options.id,
      upstream: nginx.upstream,
      configFile: nginx.configFile,
      nginx: nginx.command,
      pidFile: nginx.pidFile,
      timeoutSeconds: 60,
      reloadTimeoutMs: nginx.reloadTimeoutSeconds * 1000,
      clock,
      hosts: nginx.hosts.map(reach),
      servers: { ...byPort, ...nginx.servers },
      // nginx keeps no health view it tells: a server is healthy when it takes a connection at
      // the address its line names, as nginx would open one.
      serverHealth: async (address) => {
        const colon = address.lastIndexOf(':');
        const result = await health.check({
          kind: 'tcp',
          host: colon < 0 ? address : address.slice(0, colon),
          port: colon < 0 ? 80 : Number(address.slice(colon + 1)),
          timeoutMs: NGINX_SERVER_CHECK_MS,
        });
        return result.ok ? 'normal' : 'abnormal';
      },
      ...(state === undefined
        ? {}
        : {
            tags: tagsIn(state),
            ...(options.observeOnly === true ? {} : { baseline: (await state.read()).files }),
            // Before each write: what the file was first, and both sides of the change, so a run
            // killed in between settles whichever side the file holds (the adapter reloads it).
            onChange: (change) =>
              state.update(({ files }) => {
                files[change.host] = {
                  original: change.original,
                  expectedSha256: [change.beforeSha256, change.afterSha256],
                  reloadPending: true,
                };
              }),
            // Once nginx runs the file: back to its original, nothing is left to know of it.
            onSettled: (settled) =>
              state.update(({ files }) => {
                const known = files[settled.host];
                if (known === undefined) return;
                if (sha256Of(known.original) === settled.sha256) delete files[settled.host];
                else files[settled.host] = { ...known, expectedSha256: [settled.sha256] };
              }),
          }),
    });
  }
  if (spec.kind === 'keepalived') {
    return keepalivedPair(spec.keepalived, options, reach, clock);
  }
  const { createHaproxyLoadBalancer, hostRuntimeApi, localRuntimeApi } = await import(
    '../adapters/haproxy/index.js'
  );
  const haproxy = spec.haproxy;
  const at = reach(haproxy.host);
  return createHaproxyLoadBalancer({
    id: options.id,
    where: `${haproxy.statsSocket} on ${at.name}`,
    backend: haproxy.backend,
    servers: haproxy.servers,
    api:
      haproxy.host === 'local'
        ? localRuntimeApi(haproxy.statsSocket)
        : hostRuntimeApi(at.host, at.instanceId, haproxy.statsSocket),
    clock,
    maintAfterMs: haproxy.maintAfterSeconds * 1000,
    ...(options.home === undefined
      ? {}
      : { tags: tagsIn(balancerStateFile<never>(options.home, options.id)) }),
  });
}

/** How long drainctl waits for the VIP to take a connection when it proves the pair's holder. */
const VIP_CHECK_MS = 1000;

/**
 * A keepalived pair (docs/keepalived.md): each node's commands run on its host (the local shell
 * or SSH), inside its network namespace when it names one; the VIP's holder is proven by a TCP
 * connection from this machine, as a client would open one.
 */
async function keepalivedPair(
  spec: KeepalivedBalancerSpec,
  options: SelfRunBalancerOptions,
  reach: (host: BalancerHostSpec) => { name: string; host: Host; instanceId: string },
  clock: Clock,
): Promise<LoadBalancer> {
  const { createKeepalivedPair } = await import('../adapters/keepalived/index.js');
  const { balancerStateFile } = await import('../adapters/local/balancer-state-file.js');
  const health = createHealthChecker();
  const nodes = Object.entries(spec.nodes).map(([serverId, node]) => {
    const at = reach(node.host);
    const where = `${serverId} (${at.name}${node.netns === undefined ? '' : `, netns ${node.netns}`})`;
    return {
      serverId,
      where,
      pidFile: node.pidFile,
      start: node.start,
      run: async (script: string) => {
        const wrapped =
          node.netns === undefined
            ? script
            : `ip netns exec ${shellQuote(node.netns)} sh -c ${shellQuote(script)}`;
        const result = await at.host.runCommand(at.instanceId, {
          script: wrapped,
          timeoutSeconds: 60,
        });
        return { exitCode: result.exitCode, output: result.output };
      },
    };
  });
  if (nodes.length !== 2) {
    throw new DrainctlError(
      'INVALID_INPUT',
      `a keepalived pair has two nodes, not ${nodes.length}`,
      {
        exitCode: ExitCode.invalidInput,
      },
    );
  }
  return createKeepalivedPair({
    id: options.id,
    vip: spec.vip,
    port: spec.port,
    nodes: [nodes[0], nodes[1]] as [(typeof nodes)[0], (typeof nodes)[0]],
    clock,
    moveBack: spec.moveBack,
    quietMs: spec.quietSeconds * 1000,
    moveTimeoutMs: spec.moveTimeoutSeconds * 1000,
    answers: async (address, port) =>
      (await health.check({ kind: 'tcp', host: address, port, timeoutMs: VIP_CHECK_MS })).ok,
    ...(options.home === undefined
      ? {}
      : { tags: tagsIn(balancerStateFile<never>(options.home, options.id)) }),
  });
}

function tagsIn<File>(state: BalancerStateFile<File>): SelfRunTagStore {
  return {
    read: async () => (await state.read()).tags,
    update: (change) => state.update(({ tags }) => change(tags)),
  };
}

/**
 * The balancer a plan was made for, when it is one you run yourself: built on its first call,
 * its servers (for nginx's `privateIp:port`) the plan's nodes.
 */
function planBalancer(plan: Plan, wiring: RunWiring): LoadBalancer | undefined {
  const lb = plan.loadBalancer;
  if (lb.create || lb.selfRun === undefined) return undefined;
  const section = lb.selfRun;
  const instances: InstanceInfo[] = plan.nodes.map((node) => ({
    id: node.id,
    name: node.name,
    status: 'Running',
    ...(node.address === undefined ? {} : { privateIp: node.address }),
    tags: {},
  }));
  return loadBalancerOnFirstCall(() =>
    selfRunLoadBalancer(section, { id: lb.id, instances, env: wiring.env, home: wiring.home }),
  );
}

/**
 * The ports `plan` and `inspect` observe a workflow through: the cloud's, with the balancer you
 * run yourself in place of the SLB when the workflow names one (its servers: the instances the
 * workflow selects, read from the cloud on the balancer's first call).
 */
export function workflowObservationPorts(
  spec: WorkflowSpec,
  environment: DrainctlEnvironment,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger | undefined,
  onCloudCall?: (event: CloudCallEvent) => void,
  rateBuckets?: RateBuckets,
): InventoryPorts & FleetPorts {
  const cloud = {
    ...observationPorts(environment, spec.region, logger, onCloudCall, rateBuckets),
    ...(spec.inventory?.redis === undefined ? {} : { redis: ioredisObserver() }),
  };
  const selfRun = selfRunBalancer(spec.loadBalancer);
  if (selfRun === undefined) return cloud;
  const { backends } = spec;
  const instances = async (): Promise<InstanceInfo[]> => {
    if (backends.tags !== undefined) return cloud.host.findByTags(backends.tags);
    if (backends.instances === undefined) return [];
    const ids = backends.instances.map((entry) => (typeof entry === 'string' ? entry : entry.id));
    return cloud.host.describe([...new Set(ids)]);
  };
  const { id: _id, name: _name, ...section } = selfRun;
  return {
    ...cloud,
    loadBalancer: loadBalancerOnFirstCall(async () =>
      selfRunLoadBalancer(section, {
        id: selfRun.id,
        instances: await instances(),
        env: { ...env },
        home: environment.home,
        observeOnly: true,
      }),
    ),
  };
}
