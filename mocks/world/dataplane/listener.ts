/**
 * One started listener: its data plane (TCP or HTTP proxy on the balancer's address and the
 * listener port), its health checks, and the choice of backend for new work — weight > 0,
 * passing health checks, in proportion to weight. `backends()` is the control plane's live list,
 * read afresh at every decision.
 */
import type { TimerSet } from '../timers.js';
import type { BackendHealthState, BackendTarget, ListenerSpec } from '../types.js';
import { WorldError } from '../world-error.js';
import { HealthMonitor } from './health-monitor.js';
import { HttpProxy } from './http-proxy.js';
import { BackendScheduler } from './scheduler.js';
import type { SlbAddresses } from './slb-addresses.js';
import { TcpProxy } from './tcp-proxy.js';

export interface ListenerDeps {
  timers: TimerSet;
  addresses: SlbAddresses;
  random: () => number;
  forcedDown: (ip: string) => boolean;
}

/** How many SLB nodes check each backend and forward layer-7 traffic (alternating). */
const nodesPerListener = 2;

export class Listener {
  private readonly proxy: TcpProxy | HttpProxy;
  private readonly monitor: HealthMonitor;
  private scheduler: BackendScheduler;

  constructor(
    private spec: ListenerSpec,
    private backends: () => BackendTarget[],
    deps: ListenerDeps,
  ) {
    if (spec.protocol === 'udp') {
      throw new WorldError(
        'UNSUPPORTED_LISTENER_PROTOCOL',
        `UDP listeners are not simulated (${spec.address}:${spec.port}); the instances' apps speak HTTP over TCP`,
      );
    }
    this.scheduler = new BackendScheduler(spec.scheduler);
    this.monitor = new HealthMonitor(spec.healthCheck, () => this.backends(), {
      timers: deps.timers,
      sources: deps.addresses.forHealthChecks(nodesPerListener),
      random: deps.random,
      forcedDown: deps.forcedDown,
    });
    const choose = (clientAddress: string) => this.choose(clientAddress);
    this.proxy =
      spec.protocol === 'tcp'
        ? new TcpProxy({
            address: spec.address,
            port: spec.port,
            idleTimeoutSeconds: spec.idleTimeoutSeconds,
            choose,
          })
        : new HttpProxy({
            address: spec.address,
            port: spec.port,
            xForwardedFor: spec.xForwardedFor,
            idleTimeoutSeconds: spec.idleTimeoutSeconds,
            requestTimeoutSeconds: spec.requestTimeoutSeconds,
            sources: deps.addresses.forForwarding(nodesPerListener),
            random: deps.random,
            choose,
          });
  }

  get dataPlane(): string {
    return `${this.spec.address}:${this.spec.port}`;
  }

  /** Binds the data plane, then waits for the first round of health checks. */
  async start(): Promise<void> {
    await this.proxy.start();
    await this.monitor.start();
  }

  /** Whether `spec` can be applied without rebinding (same address, port and protocol). */
  sameSocket(spec: ListenerSpec): boolean {
    return (
      spec.address === this.spec.address &&
      spec.port === this.spec.port &&
      spec.protocol === this.spec.protocol
    );
  }

  /** Applies changed settings to a running listener; open connections stay. */
  update(spec: ListenerSpec, backends: () => BackendTarget[]): void {
    if (spec.scheduler !== this.spec.scheduler)
      this.scheduler = new BackendScheduler(spec.scheduler);
    this.spec = spec;
    this.backends = backends;
    this.monitor.update(spec.healthCheck, () => this.backends());
  }

  health(serverId: string): BackendHealthState {
    return this.monitor.state(serverId);
  }

  async stop(): Promise<void> {
    this.monitor.stop();
    await this.proxy.stop();
  }

  private choose(clientAddress: string): BackendTarget | undefined {
    const candidates = this.backends()
      .filter((target) => target.weight > 0 && this.monitor.passes(target))
      .map((target) => ({ ...target, key: `${target.serverId}|${target.ip}:${target.port}` }));
    return this.scheduler.pick(candidates, clientAddress);
  }
}
