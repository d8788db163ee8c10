/**
 * An in-memory model of the world behind the ports — balancers with weights, listeners, tags and
 * health, hosts with kernels and reboots, traffic probes, health checks, DNS — with fault
 * injection and a record of every weight change on the world's own balancer, for the engine's
 * unit and property tests. It passes the port contracts the adapters pass
 * (test/unit/support/in-memory-world-contracts.test.ts), so what the engine meets here is what
 * it meets in the cloud. Not for anything else: integration tests use the emulator over HTTP.
 *
 * Time is an AutoClock unless the world is given another clock: a discrete-event clock that jumps
 * to the next sleeper whenever every task is waiting, so a run with ten-minute timeouts takes
 * milliseconds.
 *
 * A "process" is an incarnation: crash() kills one (every later call through its ports and
 * its journal throws), and a new incarnation (resume) sees the same world.
 */

import type { EnginePorts } from '#src/engine/engine-ports.js';
import { type JournalStore, MemoryJournalStore } from '#src/engine/journal/store.js';
import { AutoClock } from './auto-clock.js';
import { type Faults, Incarnation, noFaults } from './in-memory-faults.js';

export { AutoClock } from './auto-clock.js';
export { type Faults, Incarnation, noFaults, SimulatedCrash } from './in-memory-faults.js';

import { DrainctlError } from '#src/errors/index.js';
import { formatListenerDifference, listenerDifferences } from '#src/listener/index.js';
import type { HostTarget, ObservedInventory } from '#src/plan/types.js';
import type {
  AlertGateChecker,
  AlertGateVerdict,
  AlertMatch,
  BackendHealthStatus,
  BackendServer,
  Clock,
  CommandRequest,
  CommandResult,
  CreateLoadBalancerRequest,
  Dns,
  DnsRecord,
  DnsResolver,
  DrainProgress,
  ErrorRateSample,
  HealthChecker,
  Host,
  InstanceInfo,
  InstanceStatus,
  Listener,
  ListenerConfig,
  ListenerProtocol,
  ListenerStatus,
  LoadBalancer,
  LoadBalancerInfo,
  PointRecordRequest,
  ServerAttachments,
  TrafficProbe,
  TrafficProbeFactory,
} from '#src/ports/index.js';

export interface ModelNode {
  id: string;
  name: string;
  ip: string;
  weight: number;
  kernel: string;
  availableKernel: string;
  group?: string;
  /** The instance's tags (`findByTags`); none by default. */
  tags?: Record<string, string>;
}

/** A listener on a model balancer. */
export interface ModelListener {
  port: number;
  protocol: ListenerProtocol;
  /** As created by `ensureListener`; absent for the world's own, which reads as WORLD_LISTENER. */
  config?: ListenerConfig;
  /** Absent: the world's `listenerStatus` (someone may stop it in the console). */
  status?: ListenerStatus;
}

/** A balancer of the model: the world's own (`lb-model`), or one a run or a test created. */
export interface ModelBalancer {
  readonly id: string;
  name: string;
  readonly address: string;
  readonly addressType: 'internet' | 'intranet';
  readonly clientToken?: string;
  readonly tags: Map<string, string>;
  readonly listeners: ModelListener[];
  readonly backends: Map<string, number>;
}

/** How the world's own listeners are configured (port and protocol aside). */
const WORLD_LISTENER: Omit<ListenerConfig, 'port' | 'protocol'> = {
  backendPort: 8080,
  scheduler: 'wrr',
  healthCheck: {
    enabled: true,
    type: 'tcp',
    intervalSeconds: 2,
    timeoutSeconds: 2,
    healthyThreshold: 2,
    unhealthyThreshold: 2,
  },
};

export interface WeightEvent {
  serverId: string;
  from: number;
  to: number;
  at: number;
  /** Healthy weighted backends other than this one, right when the change was made. */
  healthyOthers: number;
  /** Whether this backend was answering errors (a bad ramp pull-back). */
  erroring: boolean;
}

export interface HostState {
  status: InstanceStatus;
  kernel: string;
  staged?: string;
  rebootedAt?: number;
  rebooted: boolean;
  /** When its last patch command ended (monotonic ms). */
  patchedAt?: number;
}

export class InMemoryWorld {
  readonly loadBalancerId: string;
  readonly address = '10.0.0.100';
  readonly backends = new Map<string, number>();
  readonly initialWeights = new Map<string, number>();
  readonly hosts = new Map<string, HostState>();
  /** The balancer's listeners; a run's `lb.ensure-listener` adds its own. */
  readonly listeners: ModelListener[] = [{ port: 80, protocol: 'tcp' }];
  /** Someone may stop the listener in the console. */
  listenerStatus: 'running' | 'stopped' = 'running';
  /** The balancer's tags (a run's cloud-side marker lives here). */
  readonly tags = new Map<string, string>();
  /** The world's own balancer, the one whose weights and health the invariants are about. */
  readonly balancer: ModelBalancer;
  /** Every balancer by id: the world's own and those created since. */
  readonly balancers = new Map<string, ModelBalancer>();
  /** Records added besides `dnsRecord` (in the same zone). */
  readonly otherRecords: DnsRecord[] = [];
  readonly weightEvents: WeightEvent[] = [];
  /** Every moment (after a change) with the set of run nodes out of service. */
  readonly outSnapshots: Array<{ at: number; out: string[] }> = [];
  readonly journalLines: string[] = [];
  /**
   * What the monitoring system behind the alert gate answers: the alerts firing now (none: the
   * gate is open), or `unreachable` (it cannot be asked: the gate fails closed). Every question
   * asked is counted, with its time.
   */
  alerts: AlertMatch[] | 'unreachable' = [];
  readonly alertQuestions: number[] = [];
  dnsRecord: DnsRecord = {
    recordId: 'rec-1',
    domain: 'example.com',
    rr: 'www',
    type: 'A',
    value: '10.0.0.11',
    ttl: 600,
    line: 'default',
    status: 'ENABLE',
    locked: false,
  };

  /** A discrete-event clock unless told otherwise (a suite that runs in real time). */
  readonly clock: Clock;
  private created = 0;
  private invocations = 0;

  constructor(
    readonly nodes: ModelNode[],
    readonly faults: Faults = noFaults(),
    /** Backends on the balancer that are not part of the run. */
    readonly others: Array<{ id: string; weight: number }> = [],
    options: { clock?: Clock; loadBalancerId?: string } = {},
  ) {
    this.clock = options.clock ?? new AutoClock();
    this.loadBalancerId = options.loadBalancerId ?? 'lb-model';
    this.balancer = {
      id: this.loadBalancerId,
      name: 'model',
      address: this.address,
      addressType: 'intranet',
      tags: this.tags,
      listeners: this.listeners,
      backends: this.backends,
    };
    this.balancers.set(this.loadBalancerId, this.balancer);
    for (const n of nodes) {
      this.backends.set(n.id, n.weight);
      this.initialWeights.set(n.id, n.weight);
      this.hosts.set(n.id, { status: 'Running', kernel: n.kernel, rebooted: false });
    }
    for (const o of others) {
      this.backends.set(o.id, o.weight);
      this.initialWeights.set(o.id, o.weight);
    }
  }

  /**
   * The balancer as the planner observes it: every listener on port 8080 behind a TCP health
   * check, weights as they stand, and the health rows given (none: not yet reported).
   */
  observedBalancer(
    health: NonNullable<ObservedInventory['loadBalancer']>['health'] = [],
    id: string = this.loadBalancerId,
  ): NonNullable<ObservedInventory['loadBalancer']> {
    return {
      id,
      name: 'model',
      address: this.address,
      addressType: 'intranet',
      status: 'active',
      regionId: 'cn-hangzhou',
      tags: {},
      listeners: this.listeners,
      backends: [...this.backends].map(([serverId, weight]) => ({
        serverId,
        weight,
        type: 'ecs',
      })),
      listenerDetails: this.listeners.map((listener) => ({
        ...listener,
        backendPort: 8080,
        scheduler: 'wrr' as const,
        status: 'running' as const,
        healthCheck: {
          enabled: true,
          type: 'tcp' as const,
          intervalSeconds: 2,
          timeoutSeconds: 2,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
        },
      })),
      health,
    };
  }

  /** Status of a host now: a reboot is Stopping, then Starting, then Running (or Stopped). */
  status(id: string): InstanceStatus {
    const host = this.hosts.get(id);
    if (host === undefined) return 'Running';
    if (host.rebootedAt !== undefined) {
      const elapsed = this.clock.monotonic() - host.rebootedAt;
      if (elapsed < 1000) return 'Stopping';
      if (elapsed < this.faults.bootSeconds * 1000) return 'Starting';
      host.rebootedAt = undefined;
      if (this.faults.bootFails.has(id)) host.status = 'Stopped';
      else {
        host.status = 'Running';
        if (host.staged) host.kernel = host.staged;
        host.staged = undefined;
      }
    }
    return host.status;
  }

  kernel(id: string): string {
    this.status(id);
    return this.hosts.get(id)?.kernel ?? '';
  }

  appHealthy(id: string): boolean {
    if (this.status(id) !== 'Running') return false;
    const host = this.hosts.get(id);
    if (host?.rebooted && this.faults.osFailsAfterBoot.has(id)) return false;
    return !(host?.rebooted && this.faults.unhealthyAfterBoot.has(id));
  }

  lbHealth(id: string): 'normal' | 'abnormal' {
    if (this.faults.lbAbnormal.has(id)) return 'abnormal';
    if (!this.hosts.has(id)) return 'normal';
    return this.appHealthy(id) ? 'normal' : 'abnormal';
  }

  healthyWeighted(id: string): boolean {
    return (this.backends.get(id) ?? 0) > 0 && this.lbHealth(id) === 'normal';
  }

  /** Run nodes out of service: taken to weight 0, or their host is not running. */
  outOfService(): string[] {
    return this.nodes
      .filter(
        (n) =>
          ((this.backends.get(n.id) ?? 0) === 0 && (this.initialWeights.get(n.id) ?? 0) > 0) ||
          this.status(n.id) !== 'Running',
      )
      .map((n) => n.id);
  }

  private snapshot(): void {
    this.outSnapshots.push({ at: this.clock.monotonic(), out: this.outOfService() });
  }

  setWeight(serverId: string, weight: number): void {
    const from = this.backends.get(serverId);
    if (from === undefined)
      throw new DrainctlError('BACKEND_NOT_ATTACHED', `${serverId} not attached`);
    const healthyOthers = [...this.backends.keys()].filter(
      (id) => id !== serverId && this.healthyWeighted(id),
    ).length;
    const host = this.hosts.get(serverId);
    this.weightEvents.push({
      serverId,
      from,
      to: weight,
      at: this.clock.monotonic(),
      healthyOthers,
      erroring: Boolean(host?.rebooted && this.faults.errorsAfterBoot.has(serverId)),
    });
    this.backends.set(serverId, weight);
    this.snapshot();
  }

  /** Ports for one process. */
  ports(incarnation: Incarnation = new Incarnation()): EnginePorts {
    return {
      loadBalancer: this.loadBalancerPort(incarnation),
      dns: this.dnsPort(incarnation),
      dnsResolver: this.resolverPort(incarnation),
      host: (_target: HostTarget) => this.hostPort(incarnation),
      trafficProbes: this.probeFactory(incarnation),
      health: this.healthPort(incarnation),
      clock: this.clock,
      alertGate: this.alertGatePort(incarnation),
      attachments: this.attachmentsPort(incarnation),
    };
  }

  /**
   * Where a server is attached: the model has default server groups only (no vServer or
   * master-slave groups), so a fleet run lists its balancers by their backends.
   */
  private attachmentsPort(inc: Incarnation): ServerAttachments {
    const live = <T>(fn: () => T) => {
      inc.check();
      return Promise.resolve().then(() => {
        inc.check();
        return fn();
      });
    };
    const summary = (b: ModelBalancer) => ({
      id: b.id,
      name: b.name,
      address: b.address,
      tags: Object.fromEntries(b.tags),
    });
    const all = () => [...this.balancers.values()];
    return {
      balancersServing: (serverId) =>
        live(() =>
          all()
            .filter((b) => b.backends.has(serverId))
            .map(summary),
        ),
      balancersTagged: (tags) =>
        live(() =>
          all()
            .filter((b) => Object.entries(tags).every(([key, value]) => b.tags.get(key) === value))
            .map(summary),
        ),
      vServerGroups: () => live(() => []),
      masterSlaveGroups: () => live(() => []),
      setVServerGroupWeights: (vServerGroupId) =>
        live(() => {
          throw new DrainctlError('VSERVER_GROUP_NOT_FOUND', `no vServer group ${vServerGroupId}`);
        }),
    };
  }

  /** A journal store over the world's shared lines that dies with its process. */
  journalStore(incarnation: Incarnation, crashAfterSeq?: number): JournalStore {
    const world = this;
    const inner = new MemoryJournalStore();
    inner.lines.push(...this.journalLines);
    return {
      describe: () => 'model journal',
      read: (options) => inner.read(options),
      close: async () => {},
      async append(line: string) {
        incarnation.check();
        await inner.append(line);
        world.journalLines.push(line);
        const seq = (JSON.parse(line) as { seq: number }).seq;
        if (crashAfterSeq !== undefined && seq >= crashAfterSeq) incarnation.dead = true;
      },
    };
  }

  private info(balancer: ModelBalancer): LoadBalancerInfo {
    return {
      id: balancer.id,
      name: balancer.name,
      address: balancer.address,
      addressType: balancer.addressType,
      status: 'active',
      regionId: 'cn-hangzhou',
      tags: Object.fromEntries(balancer.tags),
      listeners: balancer.listeners.map(({ port, protocol }) => ({ port, protocol })),
      backends: [...balancer.backends].map(
        ([serverId, weight]): BackendServer => ({ serverId, weight, type: 'ecs' }),
      ),
    };
  }

  private requireBalancer(id: string): ModelBalancer {
    const balancer = this.balancers.get(id);
    if (balancer === undefined) {
      throw new DrainctlError('LOAD_BALANCER_NOT_FOUND', `no balancer ${id}`);
    }
    return balancer;
  }

  private listener(entry: ModelListener): Listener {
    const config = entry.config ?? {
      ...WORLD_LISTENER,
      port: entry.port,
      protocol: entry.protocol,
    };
    return { ...config, status: entry.status ?? this.listenerStatus };
  }

  private findListener(id: string, port: number, protocol: ListenerProtocol) {
    const balancer = this.requireBalancer(id);
    const entry = balancer.listeners.find((l) => l.port === port && l.protocol === protocol);
    return { balancer, entry };
  }

  /** Creates the listener stopped, as SLB does; one on that port with another config is refused. */
  private ensureListener(id: string, config: ListenerConfig): Listener {
    const balancer = this.requireBalancer(id);
    const onPort = balancer.listeners.find((l) => l.port === config.port);
    if (onPort === undefined) {
      const created: ModelListener = {
        port: config.port,
        protocol: config.protocol,
        config,
        status: 'stopped',
      };
      balancer.listeners.push(created);
      return this.listener(created);
    }
    const live = this.listener(onPort);
    const differences =
      onPort.protocol === config.protocol
        ? listenerDifferences(live, config).map(formatListenerDifference)
        : [`port ${config.port} already has a ${onPort.protocol} listener`];
    if (differences.length > 0) {
      throw new DrainctlError(
        'LISTENER_CONFIG_DIFFERS',
        `the ${config.protocol} listener on port ${config.port} of ${id} differs from the workflow: ${differences.join('; ')}`,
      );
    }
    return live;
  }

  private setListenerStatus(
    id: string,
    port: number,
    protocol: ListenerProtocol,
    status: ListenerStatus,
  ): void {
    const { entry } = this.findListener(id, port, protocol);
    if (entry === undefined) {
      throw new DrainctlError('LISTENER_NOT_FOUND', `no ${protocol} listener on port ${port}`);
    }
    entry.status = status;
  }

  /** Weights of attached backends only: an unattached one is an error before anything changes. */
  private setWeights(id: string, weights: Array<{ serverId: string; weight: number }>): void {
    const balancer = this.requireBalancer(id);
    const unattached = weights.filter((w) => !balancer.backends.has(w.serverId));
    if (unattached.length > 0) {
      throw new DrainctlError(
        'BACKEND_NOT_ATTACHED',
        `cannot set the weight of ${unattached.map((w) => w.serverId).join(', ')}: not attached to ${id}`,
      );
    }
    for (const w of weights) {
      if (balancer === this.balancer) this.setWeight(w.serverId, w.weight);
      else balancer.backends.set(w.serverId, w.weight);
    }
  }

  /** Attaches the missing ones and reweighs the attached ones, as the SLB adapter does. */
  private addBackends(id: string, backends: Array<{ serverId: string; weight: number }>): void {
    const balancer = this.requireBalancer(id);
    const attached = backends.filter((b) => balancer.backends.has(b.serverId));
    for (const b of backends) {
      if (!balancer.backends.has(b.serverId)) balancer.backends.set(b.serverId, b.weight);
    }
    const reweigh = attached.filter((b) => balancer.backends.get(b.serverId) !== b.weight);
    if (reweigh.length > 0) this.setWeights(id, reweigh);
  }

  /** Idempotent by client token, like the cloud's CreateLoadBalancer. */
  private create(request: CreateLoadBalancerRequest): ModelBalancer {
    const same = [...this.balancers.values()].find((b) => b.clientToken === request.clientToken);
    if (same !== undefined) return same;
    this.created += 1;
    const balancer: ModelBalancer = {
      id: `lb-model-${this.created}`,
      name: request.name,
      address: `10.0.1.${this.created}`,
      addressType: request.addressType,
      clientToken: request.clientToken,
      tags: new Map(Object.entries(request.tags)),
      listeners: [],
      backends: new Map(),
    };
    this.balancers.set(balancer.id, balancer);
    return balancer;
  }

  /** Every backend of every listener (or of the one on `port`), with the model's health. */
  private healthStatus(id: string, port?: number): BackendHealthStatus[] {
    const balancer = this.requireBalancer(id);
    return balancer.listeners
      .filter((l) => port === undefined || l.port === port)
      .flatMap((l) =>
        [...balancer.backends.keys()].map(
          (serverId): BackendHealthStatus => ({
            serverId,
            port: this.listener(l).backendPort,
            listenerPort: l.port,
            protocol: l.protocol,
            health: this.lbHealth(serverId),
          }),
        ),
      );
  }

  private loadBalancerPort(inc: Incarnation): LoadBalancer {
    const live = <T>(fn: () => T) => {
      inc.check();
      return Promise.resolve().then(() => {
        inc.check();
        return fn();
      });
    };
    const all = () => [...this.balancers.values()];
    return {
      describe: (id) => live(() => this.info(this.requireBalancer(id))),
      findByName: (name, tags) =>
        live(() =>
          all()
            .filter(
              (b) =>
                b.name === name &&
                Object.entries(tags).every(([key, value]) => b.tags.get(key) === value),
            )
            .map((b) => this.info(b)),
        ),
      create: (request) => live(() => this.info(this.create(request))),
      delete: (id) =>
        live(() => {
          this.balancers.delete(id);
        }),
      describeListener: (id, port, protocol) =>
        live(() => {
          const { entry } = this.findListener(id, port, protocol);
          return entry === undefined ? undefined : this.listener(entry);
        }),
      ensureListener: (id, config) => live(() => this.ensureListener(id, config)),
      startListener: (id, port, protocol) =>
        live(() => this.setListenerStatus(id, port, protocol, 'running')),
      stopListener: (id, port, protocol) =>
        live(() => this.setListenerStatus(id, port, protocol, 'stopped')),
      deleteListener: (id, port, protocol) =>
        live(() => {
          const { balancer, entry } = this.findListener(id, port, protocol);
          if (entry !== undefined) balancer.listeners.splice(balancer.listeners.indexOf(entry), 1);
        }),
      listBackends: (id) => live(() => this.info(this.requireBalancer(id)).backends),
      addBackends: (id, backends) => live(() => this.addBackends(id, backends)),
      setBackendWeights: (id, weights) => live(() => this.setWeights(id, weights)),
      removeBackends: (id, serverIds) =>
        live(() => {
          const balancer = this.requireBalancer(id);
          for (const serverId of serverIds) balancer.backends.delete(serverId);
        }),
      getTags: (id) => live(() => this.info(this.requireBalancer(id)).tags),
      setTags: (id, tags) =>
        live(() => {
          const balancer = this.requireBalancer(id);
          for (const [key, value] of Object.entries(tags)) balancer.tags.set(key, value);
        }),
      removeTags: (id, keys) =>
        live(() => {
          const balancer = this.requireBalancer(id);
          for (const key of keys) balancer.tags.delete(key);
        }),
      healthStatus: (id, port) => live(() => this.healthStatus(id, port)),
    };
  }

  private hostPort(inc: Incarnation): Host {
    const describe = (node: ModelNode): InstanceInfo => ({
      id: node.id,
      name: node.name,
      status: this.status(node.id),
      tags: node.tags ?? {},
      privateIp: node.ip,
    });
    const run = async (id: string, request: CommandRequest): Promise<CommandResult> => {
      inc.check();
      await this.clock.sleep(1000);
      inc.check();
      if (this.status(id) !== 'Running') {
        return { status: 'error', exitCode: null, output: '', errorInfo: 'InstanceNotRunning' };
      }
      if (this.hosts.get(id)?.rebooted && this.faults.osFailsAfterBoot.has(id)) {
        return { status: 'error', exitCode: null, output: '', errorInfo: 'ClientNotRunning' };
      }
      if (request.script.includes('uname -r')) {
        return { status: 'success', exitCode: 0, output: `${this.kernel(id)}\n` };
      }
      // The example workflows' `patch.neededWhen` checks, answered from the model's kernels.
      const state = this.hosts.get(id);
      if (request.script.includes('check-update kernel')) {
        const newest = this.nodes.find((n) => n.id === id)?.availableKernel;
        const current = (state?.staged ?? state?.kernel) === newest;
        return {
          status: current ? 'success' : 'failed',
          exitCode: current ? 0 : 100,
          output: '',
        };
      }
      if (request.script.includes('needs-restarting -r')) {
        const pending = state?.staged !== undefined && state.staged !== state.kernel;
        return { status: pending ? 'failed' : 'success', exitCode: pending ? 1 : 0, output: '' };
      }
      // A script that only exits ends with that code, as a shell does.
      const exit = /^\s*exit\s+(\d+)\s*$/.exec(request.script);
      if (exit !== null) {
        const code = Number(exit[1]);
        return { status: code === 0 ? 'success' : 'failed', exitCode: code, output: '' };
      }
      // Anything else is the patch.
      if (this.faults.patchFails.has(id)) {
        return {
          status: 'failed',
          exitCode: 1,
          output: this.faults.patchFailureOutput ?? 'Error: Cannot retrieve repository metadata\n',
        };
      }
      const host = this.hosts.get(id);
      const node = this.nodes.find((n) => n.id === id);
      if (host) host.patchedAt = this.clock.monotonic();
      if (host && node && !this.faults.patchNoop.has(id)) host.staged = node.availableKernel;
      return { status: 'success', exitCode: 0, output: 'Complete!\n' };
    };
    const known = (id: string) => this.nodes.find((n) => n.id === id);
    return {
      describe: async (ids) => {
        inc.check();
        return ids.flatMap((id) => {
          const node = known(id);
          return node === undefined ? [] : [describe(node)];
        });
      },
      findByTags: async (tags) => {
        inc.check();
        return this.nodes
          .filter((n) => Object.entries(tags).every(([key, value]) => n.tags?.[key] === value))
          .map(describe);
      },
      runCommand: async (id, request) => {
        const result = await run(id, request);
        this.invocations += 1;
        return { ...result, invocationId: `t-model-${this.invocations}` };
      },
      reboot: async (id) => {
        inc.check();
        if (this.status(id) !== 'Running') {
          throw new DrainctlError('INCORRECT_INSTANCE_STATUS', `${id} is ${this.status(id)}`);
        }
        const host = this.hosts.get(id);
        if (host) {
          host.rebootedAt = this.clock.monotonic();
          host.rebooted = true;
        }
        this.snapshot();
      },
      waitUntilRunning: async (id, options) => {
        const deadline = this.clock.monotonic() + options.timeoutMs;
        for (;;) {
          inc.check();
          const node = known(id);
          if (node !== undefined && this.status(id) === 'Running') {
            this.snapshot();
            return describe(node);
          }
          if (this.clock.monotonic() >= deadline) {
            throw new DrainctlError(
              'HOST_NOT_RUNNING',
              `${id} is not Running after ${Math.round(options.timeoutMs / 1000)} s (last status: ${this.status(id)})`,
            );
          }
          await this.clock.sleep(1000, options.signal);
        }
      },
    };
  }

  private probeFactory(inc: Incarnation): TrafficProbeFactory {
    const world = this;
    return async (nodeId) => {
      inc.check();
      /** This probe judged the node drained before (a later wait may continue that). */
      let drainedAt: number | undefined;
      const probe: TrafficProbe = {
        async waitForDrain(options) {
          const drift = world.faults.driftOnDrain;
          if (drift?.whenDraining === nodeId && world.backends.has(drift.serverId)) {
            world.backends.set(drift.serverId, drift.weight); // someone else, in the console
          }
          const now = world.clock.monotonic();
          const quietMs = options.quietSeconds * 1000;
          const continued = options.continueQuiet === true && drainedAt !== undefined;
          // Quiet as the real probe judges it: from the later of the wait's start (or, when it
          // continues a decision, that decision) and the last real request.
          const patchedAt = world.hosts.get(nodeId)?.patchedAt;
          const trafficSeconds = world.faults.trafficAfterPatch.get(nodeId);
          const lastRequest =
            patchedAt === undefined || trafficSeconds === undefined
              ? undefined
              : patchedAt + trafficSeconds * 1000;
          let quietAt = continued ? now : now + quietMs;
          if (lastRequest !== undefined) quietAt = Math.max(quietAt, lastRequest + quietMs);
          if (world.faults.neverQuiet.has(nodeId) || (world.backends.get(nodeId) ?? 0) !== 0) {
            quietAt = Number.POSITIVE_INFINITY;
          }
          const quiet = quietAt - now <= options.timeoutSeconds * 1000;
          const wait = quiet ? (quietAt - now) / 1000 : options.timeoutSeconds;
          // Progress as the real probes report it on starting (with the quiet a continued
          // decision already has behind it) and with the outcome; not on every tick between.
          const quietSoFar = Number.isFinite(quietAt)
            ? Math.max(0, options.quietSeconds - (quietAt - now) / 1000)
            : 0;
          options.onProgress?.({
            elapsedSeconds: 0,
            realRequests: 0,
            ignoredRequests: 0,
            requestsPerSecond: Number.isFinite(quietAt) ? 0 : 10,
            quietSeconds: quietSoFar,
          });
          if (wait > 0) await world.clock.sleep(wait * 1000, options.signal);
          inc.check();
          const since = continued ? (drainedAt ?? now) : now;
          const busy = !quiet || (lastRequest !== undefined && lastRequest > since);
          if (quiet) drainedAt = world.clock.monotonic();
          const final: DrainProgress = {
            elapsedSeconds: wait,
            realRequests: busy ? Math.max(1, wait * 10) : 0,
            ignoredRequests: wait,
            requestsPerSecond: quiet ? 0 : 10,
            quietSeconds: quiet ? options.quietSeconds : 0,
          };
          options.onProgress?.(final);
          return {
            outcome: quiet ? 'drained' : 'timeout',
            waitedSeconds: wait,
            realRequests: final.realRequests,
            final,
          };
        },
        // Read once a second, like the access-log probe's default tick.
        async measureErrorRate(options) {
          const total: ErrorRateSample = { seconds: 0, requests: 0, errors5xx: 0, rate: 0 };
          while (total.seconds < options.seconds) {
            const step = Math.min(1, options.seconds - total.seconds);
            await world.clock.sleep(step * 1000, options.signal);
            inc.check();
            const weight = world.backends.get(nodeId) ?? 0;
            const requests = weight * step;
            const rebooted = world.hosts.get(nodeId)?.rebooted === true;
            const overload = world.faults.errorsFromWeight.get(nodeId);
            const erroring =
              (rebooted && world.faults.errorsAfterBoot.has(nodeId)) ||
              (overload !== undefined &&
                weight >= overload.weight &&
                (rebooted || !overload.afterBoot));
            total.seconds += step;
            total.requests += requests;
            total.errors5xx += erroring ? Math.ceil(requests / 2) : 0;
            total.rate = total.requests === 0 ? 0 : total.errors5xx / total.requests;
            if (options.stopWhen?.({ ...total }) === true) break;
          }
          return total;
        },
        async close() {},
      };
      return probe;
    };
  }

  private alertGatePort(inc: Incarnation): AlertGateChecker {
    return {
      check: async (): Promise<AlertGateVerdict> => {
        inc.check();
        this.alertQuestions.push(this.clock.monotonic());
        const alerts = this.alerts;
        if (alerts === 'unreachable') {
          return {
            blocked: true,
            reason: 'cannot evaluate the alert gate (fails closed): model monitoring unreachable',
            matches: [],
          };
        }
        if (alerts.length === 0) return { blocked: false, reason: 'open', matches: [] };
        const names = alerts.map((a) => a.labels.alertname ?? '?').join(', ');
        return { blocked: true, reason: `${alerts.length} firing: ${names}`, matches: alerts };
      },
    };
  }

  private healthPort(inc: Incarnation): HealthChecker {
    const world = this;
    return {
      async check(spec) {
        inc.check();
        if (spec.kind === 'load-balancer') {
          const ok = world.lbHealth(spec.serverId) === 'normal';
          return { ok, detail: ok ? 'normal' : 'abnormal' };
        }
        if (spec.host === world.address) return { ok: true, detail: 'through the balancer' };
        const node = world.nodes.find((n) => n.ip === spec.host);
        if (node !== undefined && world.faults.osFailsAfterBoot.has(node.id)) {
          if (world.hosts.get(node.id)?.rebooted) return { ok: false, detail: 'connect ETIMEDOUT' };
        }
        const ok = node !== undefined && world.appHealthy(node.id);
        return ok
          ? { ok, detail: 'HTTP 200', answered: true }
          : { ok, detail: 'connect ECONNREFUSED' };
      },
    };
  }

  /** The zone's records: the world's own and those added since. */
  private records(): DnsRecord[] {
    return [this.dnsRecord, ...this.otherRecords];
  }

  private requireZone(domain: string): void {
    if (domain !== this.dnsRecord.domain) {
      throw new DrainctlError('DNS_DOMAIN_NOT_FOUND', `domain ${domain} is not in the model`);
    }
  }

  /** Updates the record by id, or the one of that name and type, or adds it. */
  private pointRecord(request: PointRecordRequest): DnsRecord {
    this.requireZone(request.domain);
    const current = this.records().find((r) =>
      request.recordId !== undefined
        ? r.recordId === request.recordId
        : r.rr === request.rr && r.type === request.type && r.line === (request.line ?? 'default'),
    );
    if (current === undefined) {
      const added: DnsRecord = {
        recordId: `rec-${this.otherRecords.length + 2}`,
        domain: request.domain,
        rr: request.rr,
        type: request.type,
        value: request.value,
        ttl: request.ttl,
        line: request.line ?? 'default',
        status: 'ENABLE',
        locked: false,
      };
      this.otherRecords.push(added);
      return added;
    }
    if (current.value === request.value && current.ttl === request.ttl) return current;
    const changed = { ...current, value: request.value, ttl: request.ttl };
    if (current === this.dnsRecord) this.dnsRecord = changed;
    else this.otherRecords.splice(this.otherRecords.indexOf(current), 1, changed);
    return changed;
  }

  private dnsPort(inc: Incarnation): Dns {
    const live = <T>(fn: () => T) =>
      Promise.resolve().then(() => {
        inc.check();
        return fn();
      });
    return {
      findRecords: (domain, rr, type) =>
        live(() => {
          this.requireZone(domain);
          return this.records().filter(
            (r) => r.rr === rr && (type === undefined || r.type === type),
          );
        }),
      getRecord: (recordId) =>
        live(() => {
          const record = this.records().find((r) => r.recordId === recordId);
          if (record === undefined) {
            throw new DrainctlError(
              'DNS_RECORD_NOT_FOUND',
              `DNS record ${recordId} does not exist`,
            );
          }
          return record;
        }),
      pointRecord: (request) => live(() => this.pointRecord(request)),
      minimumTtl: (domain) =>
        live(() => {
          this.requireZone(domain);
          return 1;
        }),
      nameServers: (domain) =>
        live(() => {
          this.requireZone(domain);
          return ['ns1.model:53'];
        }),
    };
  }

  private resolverPort(inc: Incarnation): DnsResolver {
    return {
      resolve: async () => {
        inc.check();
        return [this.dnsRecord.value];
      },
    };
  }

  /** What a finished run leaves behind, for comparing end states. */
  endState(): {
    weights: Record<string, number>;
    kernels: Record<string, string>;
    status: Record<string, string>;
    dns: string;
    /** Weights kept on the balancer for servers out of service (`drainctl-weight-<id>` tags). */
    savedWeights: Record<string, number>;
  } {
    return {
      weights: Object.fromEntries(this.backends),
      kernels: Object.fromEntries(this.nodes.map((n) => [n.id, this.kernel(n.id)])),
      status: Object.fromEntries(this.nodes.map((n) => [n.id, this.status(n.id)])),
      dns: this.dnsRecord.value,
      savedWeights: Object.fromEntries(
        [...this.tags]
          .filter(([key]) => key.startsWith('drainctl-weight-'))
          .map(([key, value]) => [
            key.slice('drainctl-weight-'.length),
            Number.parseInt(value, 10),
          ]),
      ),
    };
  }
}
