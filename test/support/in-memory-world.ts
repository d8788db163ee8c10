/**
 * An in-memory model of the world behind the ports — a balancer with weights and health,
 * hosts with kernels and reboots, traffic probes, health checks, DNS — with fault injection and
 * a record of every weight change, for the engine's property tests. Not for anything else:
 * integration tests use the emulator over HTTP.
 *
 * Time is an AutoClock: a discrete-event clock that jumps to the next sleeper whenever every
 * task is waiting, so a run with ten-minute timeouts takes milliseconds.
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
import type { HostTarget } from '#src/plan/types.js';
import type {
  BackendHealthStatus,
  BackendServer,
  CommandResult,
  Dns,
  DnsRecord,
  DnsResolver,
  ErrorRateSample,
  HealthChecker,
  Host,
  InstanceInfo,
  InstanceStatus,
  ListenerProtocol,
  LoadBalancer,
  LoadBalancerInfo,
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
}

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
  readonly clock = new AutoClock();
  readonly loadBalancerId = 'lb-model';
  readonly address = '10.0.0.100';
  readonly backends = new Map<string, number>();
  readonly initialWeights = new Map<string, number>();
  readonly hosts = new Map<string, HostState>();
  /** The balancer's listeners; a run's `lb.ensure-listener` adds its own. */
  readonly listeners: Array<{ port: number; protocol: ListenerProtocol }> = [
    { port: 80, protocol: 'tcp' },
  ];
  /** Someone may stop the listener in the console. */
  listenerStatus: 'running' | 'stopped' = 'running';
  /** The balancer's tags (a run's cloud-side marker lives here). */
  readonly tags = new Map<string, string>();
  readonly weightEvents: WeightEvent[] = [];
  /** Every moment (after a change) with the set of run nodes out of service. */
  readonly outSnapshots: Array<{ at: number; out: string[] }> = [];
  readonly journalLines: string[] = [];
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

  constructor(
    readonly nodes: ModelNode[],
    readonly faults: Faults = noFaults(),
    /** Backends on the balancer that are not part of the run. */
    readonly others: Array<{ id: string; weight: number }> = [],
  ) {
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

  private info(): LoadBalancerInfo {
    return {
      id: this.loadBalancerId,
      name: 'model',
      address: this.address,
      addressType: 'intranet',
      status: 'active',
      regionId: 'cn-hangzhou',
      tags: Object.fromEntries(this.tags),
      listeners: this.listeners,
      backends: this.backendList(),
    };
  }

  private backendList(): BackendServer[] {
    return [...this.backends].map(([serverId, weight]) => ({ serverId, weight, type: 'ecs' }));
  }

  private loadBalancerPort(inc: Incarnation): LoadBalancer {
    const live = <T>(fn: () => T) => {
      inc.check();
      return Promise.resolve().then(() => {
        inc.check();
        return fn();
      });
    };
    return {
      describe: (id) => live(() => this.requireLb(id)),
      findByName: () => live(() => [this.info()]),
      create: () => live(() => this.info()),
      delete: () => live(() => undefined),
      describeListener: (_id, port, protocol) =>
        live(() =>
          this.listeners.some((l) => l.port === port && l.protocol === protocol)
            ? {
                protocol,
                port,
                backendPort: 8080,
                scheduler: 'wrr' as const,
                status: this.listenerStatus,
                healthCheck: {
                  enabled: true,
                  type: 'tcp' as const,
                  intervalSeconds: 2,
                  timeoutSeconds: 2,
                  healthyThreshold: 2,
                  unhealthyThreshold: 2,
                },
              }
            : undefined,
        ),
      ensureListener: (_id, config) =>
        live(() => {
          if (!this.listeners.some((l) => l.port === config.port)) {
            this.listeners.push({ port: config.port, protocol: config.protocol });
          }
          return { ...config, status: 'running' as const };
        }),
      startListener: () => live(() => undefined),
      stopListener: () => live(() => undefined),
      deleteListener: () => live(() => undefined),
      listBackends: (id) => live(() => this.requireLb(id).backends),
      addBackends: (_id, backends) =>
        live(() => {
          for (const b of backends) this.backends.set(b.serverId, b.weight);
        }),
      setBackendWeights: (id, weights) =>
        live(() => {
          this.requireLb(id);
          for (const w of weights) this.setWeight(w.serverId, w.weight);
        }),
      removeBackends: () => live(() => undefined),
      getTags: (id) => live(() => this.requireLb(id).tags),
      setTags: (id, tags) =>
        live(() => {
          this.requireLb(id);
          for (const [key, value] of Object.entries(tags)) this.tags.set(key, value);
        }),
      removeTags: (id, keys) =>
        live(() => {
          this.requireLb(id);
          for (const key of keys) this.tags.delete(key);
        }),
      healthStatus: (id) =>
        live(() =>
          this.requireLb(id).backends.map(
            (b): BackendHealthStatus => ({
              serverId: b.serverId,
              port: 8080,
              listenerPort: 80,
              protocol: 'tcp',
              health: this.lbHealth(b.serverId),
            }),
          ),
        ),
    };
  }

  private requireLb(id: string): LoadBalancerInfo {
    if (id !== this.loadBalancerId) {
      throw new DrainctlError('LOAD_BALANCER_NOT_FOUND', `no balancer ${id}`);
    }
    return this.info();
  }

  private hostPort(inc: Incarnation): Host {
    const describe = (id: string): InstanceInfo => {
      const node = this.nodes.find((n) => n.id === id);
      return {
        id,
        name: node?.name ?? id,
        status: this.status(id),
        tags: {},
        ...(node ? { privateIp: node.ip } : {}),
      };
    };
    return {
      describe: async (ids) => {
        inc.check();
        return ids.map(describe);
      },
      findByTags: async () => {
        inc.check();
        return this.nodes.map((n) => describe(n.id));
      },
      runCommand: async (id, request): Promise<CommandResult> => {
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
        if (this.faults.patchFails.has(id)) {
          return {
            status: 'failed',
            exitCode: 1,
            output: 'Error: Cannot retrieve repository metadata\n',
          };
        }
        const host = this.hosts.get(id);
        const node = this.nodes.find((n) => n.id === id);
        if (host) host.patchedAt = this.clock.monotonic();
        if (host && node && !this.faults.patchNoop.has(id)) host.staged = node.availableKernel;
        return { status: 'success', exitCode: 0, output: 'Complete!\n' };
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
          if (this.status(id) === 'Running') {
            this.snapshot();
            return describe(id);
          }
          if (this.clock.monotonic() >= deadline) {
            throw new DrainctlError('INSTANCE_NOT_RUNNING', `${id} is ${this.status(id)}`);
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
          if (wait > 0) await world.clock.sleep(wait * 1000, options.signal);
          inc.check();
          const since = continued ? (drainedAt ?? now) : now;
          const busy = !quiet || (lastRequest !== undefined && lastRequest > since);
          if (quiet) drainedAt = world.clock.monotonic();
          const final = {
            elapsedSeconds: wait,
            realRequests: busy ? Math.max(1, wait * 10) : 0,
            ignoredRequests: wait,
            requestsPerSecond: quiet ? 0 : 10,
            quietSeconds: quiet ? options.quietSeconds : 0,
          };
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

  private dnsPort(inc: Incarnation): Dns {
    return {
      findRecords: async () => {
        inc.check();
        return [this.dnsRecord];
      },
      getRecord: async () => {
        inc.check();
        return this.dnsRecord;
      },
      pointRecord: async (request) => {
        inc.check();
        this.dnsRecord = { ...this.dnsRecord, value: request.value, ttl: request.ttl };
        return this.dnsRecord;
      },
      minimumTtl: async () => 1,
      nameServers: async () => ['ns1.model:53'],
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
