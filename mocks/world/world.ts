/**
 * The simulated world behind the emulator's API: instances, listener data planes, the DNS
 * server and world faults, put together behind the `World` seam.
 */

import { Listener } from './dataplane/listener.js';
import { SlbAddresses } from './dataplane/slb-addresses.js';
import { DnsServer } from './dns/dns-server.js';
import { Instance } from './instance/instance.js';
import { resolveOptions, type WorldOptions, type WorldTimings } from './options.js';
import { TimerSet } from './timers.js';
import type {
  BackendHealthState,
  BackendTarget,
  CommandOutcome,
  DnsAnswerRecord,
  InstanceSpec,
  InstanceView,
  ListenerSpec,
  ScriptLanguage,
  World,
  WorldFault,
} from './types.js';
import { WorldError } from './world-error.js';

/** The World, plus what the control plane may want to show about it. */
export interface EmulatedWorld extends World {
  readonly timings: WorldTimings;
  readonly stateDir: string;
}

/**
 * Starts a world: its DNS server is listening when the promise resolves; add instances next.
 *
 * @example
 *   const world = await createWorld({ stateDir, dnsHost: '127.31.7.53', timings: { bootSeconds: 1 } });
 *   await world.addInstance({ id: 'i-emu-web-1', privateIp: '127.31.7.11', appPort: 8080, … });
 *   …
 *   await world.close();
 */
export async function createWorld(options: WorldOptions): Promise<EmulatedWorld> {
  const resolved = resolveOptions(options);
  const dns = new DnsServer(resolved.onError);
  await dns.start(resolved.dnsHost);
  return new SimulatedWorld(resolved, dns);
}

class SimulatedWorld implements EmulatedWorld {
  private readonly timers = new TimerSet();
  private readonly machines = new Map<string, Instance>();
  private readonly listeners = new Map<string, Listener>();
  private readonly addresses: SlbAddresses;
  private closed = false;

  constructor(
    private readonly options: ReturnType<typeof resolveOptions>,
    private readonly dns: DnsServer,
  ) {
    this.addresses = new SlbAddresses(options.random);
  }

  get timings(): WorldTimings {
    return this.options.timings;
  }

  get stateDir(): string {
    return this.options.stateDir;
  }

  get dnsServer(): string {
    return this.dns.endpoint;
  }

  async addInstance(spec: InstanceSpec): Promise<void> {
    this.assertOpen();
    if (this.machines.has(spec.id)) {
      throw new WorldError('InstanceAlreadyExists', `instance ${spec.id} is already in the world`);
    }
    const instance = new Instance(spec, {
      options: this.options,
      timers: this.timers,
      isHealthCheckSource: (address) => this.addresses.isHealthChecker(address),
    });
    this.machines.set(spec.id, instance);
    try {
      await instance.start();
    } catch (error) {
      this.machines.delete(spec.id);
      throw error;
    }
  }

  instance(id: string): InstanceView | undefined {
    return this.machines.get(id)?.view();
  }

  instances(): InstanceView[] {
    return [...this.machines.values()].map((instance) => instance.view());
  }

  runCommand(
    instanceId: string,
    script: string,
    timeoutSeconds: number,
    language: ScriptLanguage = 'shell',
  ): Promise<CommandOutcome> {
    const instance = this.machines.get(instanceId);
    if (!instance) {
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      return Promise.resolve({
        status: 'Error',
        exitCode: -1,
        output: '',
        errorCode: 'InstanceNotExists',
        errorInfo: 'the specified instance does not exists',
        startTime: now,
        finishedTime: now,
      });
    }
    return instance.runCommand(script, timeoutSeconds, language);
  }

  reboot(instanceId: string): void {
    this.machine(instanceId).reboot();
  }

  async startListener(
    spec: ListenerSpec,
    backends: () => BackendTarget[],
  ): Promise<{ dataPlane: string }> {
    this.assertOpen();
    const key = listenerKey(spec.loadBalancerId, spec.port);
    const running = this.listeners.get(key);
    if (running?.sameSocket(spec)) {
      running.update(spec, backends);
      return { dataPlane: running.dataPlane };
    }
    if (running) await this.stopListener(spec.loadBalancerId, spec.port);
    const listener = new Listener(spec, backends, {
      timers: this.timers,
      addresses: this.addresses,
      random: this.options.random,
      forcedDown: (ip) => this.flappingDown(ip),
    });
    this.listeners.set(key, listener);
    try {
      await listener.start();
    } catch (error) {
      this.listeners.delete(key);
      await listener.stop();
      throw error;
    }
    return { dataPlane: listener.dataPlane };
  }

  async stopListener(loadBalancerId: string, port: number): Promise<void> {
    const key = listenerKey(loadBalancerId, port);
    const listener = this.listeners.get(key);
    if (!listener) return;
    this.listeners.delete(key);
    await listener.stop();
  }

  backendHealth(
    loadBalancerId: string,
    listenerPort: number,
    serverId: string,
  ): BackendHealthState {
    return (
      this.listeners.get(listenerKey(loadBalancerId, listenerPort))?.health(serverId) ??
      'unavailable'
    );
  }

  setDnsRecords(records: DnsAnswerRecord[], zones?: string[]): void {
    this.dns.setRecords(records, zones);
  }

  injectFault(fault: WorldFault): void {
    this.machine(fault.instanceId).injectFault(fault);
  }

  clearFaults(): void {
    for (const instance of this.machines.values()) instance.clearFaults();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timers.clear();
    const stopping = [...this.listeners.values()].map((listener) => listener.stop());
    this.listeners.clear();
    for (const instance of this.machines.values()) instance.close();
    await Promise.all([...stopping, this.dns.close()]);
  }

  private machine(id: string): Instance {
    const instance = this.machines.get(id);
    if (!instance)
      throw new WorldError('InvalidInstanceId.NotFound', `the world has no instance ${id}`);
    return instance;
  }

  private flappingDown(ip: string): boolean {
    const now = Date.now();
    for (const instance of this.machines.values()) {
      if (instance.spec.privateIp === ip && instance.flappingDown(now)) return true;
    }
    return false;
  }

  private assertOpen(): void {
    if (this.closed) throw new WorldError('WORLD_CLOSED', 'the world has been closed');
  }
}

function listenerKey(loadBalancerId: string, port: number): string {
  return `${loadBalancerId}:${port}`;
}
