/**
 * TEMPORARY stand-in for mocks/world until branch emu-world provides createWorld: no sockets,
 * just the state transitions the control plane reads (status, kernel, health, DNS records).
 * Used only by control-plane tests; removed once the real world is merged.
 */
import { join } from 'node:path';
import type { WorldFactory } from '../../../../mocks/index.js';
import type {
  BackendHealthState,
  CommandOutcome,
  DnsAnswerRecord,
  InstanceSpec,
  InstanceState,
  InstanceView,
  World,
  WorldFault,
} from '../../../../mocks/world/types.js';

interface FakeInstance {
  spec: InstanceSpec;
  status: InstanceState;
  kernel: string;
  staged?: string;
}

export class FakeWorld implements World {
  readonly instancesById = new Map<string, FakeInstance>();
  readonly listeners = new Map<string, string>();
  records: DnsAnswerRecord[] = [];
  faults: WorldFault[] = [];
  health: BackendHealthState = 'normal';
  private timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly dnsServer: string,
    private readonly stateDir: string,
    private readonly timings: { stoppingMs: number; bootMs: number; commandMs: number },
  ) {}

  async addInstance(spec: InstanceSpec): Promise<void> {
    this.instancesById.set(spec.id, { spec, status: 'Running', kernel: spec.kernel });
  }

  instance(id: string): InstanceView | undefined {
    const entry = this.instancesById.get(id);
    if (!entry) return undefined;
    return {
      id,
      name: entry.spec.name,
      privateIp: entry.spec.privateIp,
      app: `${entry.spec.privateIp}:${entry.spec.appPort}`,
      kernel: entry.kernel,
      stagedKernel: entry.staged,
      status: entry.status,
      accessLog: join(this.stateDir, 'instances', id, 'access.log'),
    };
  }

  instances(): InstanceView[] {
    return [...this.instancesById.keys()].flatMap((id) => this.instance(id) ?? []);
  }

  async runCommand(instanceId: string, script: string): Promise<CommandOutcome> {
    const startTime = new Date().toISOString();
    await this.sleep(this.timings.commandMs);
    const entry = this.instancesById.get(instanceId);
    if (!entry) throw new Error(`no instance ${instanceId}`);
    let output = '';
    if (/\b(yum|dnf|apt(-get)?)\b.*\b(update|upgrade|install)\b/.test(script)) {
      entry.staged = entry.spec.availableKernel;
      output += 'Complete!\n';
    }
    if (/uname -r/.test(script)) output += `${entry.kernel}\n`;
    const exitCode = /\bexit 3\b/.test(script) ? 3 : 0;
    if (/\breboot\b|shutdown -r/.test(script)) this.reboot(instanceId);
    return {
      status: exitCode === 0 ? 'Success' : 'Failed',
      exitCode,
      output,
      startTime,
      finishedTime: new Date().toISOString(),
    };
  }

  reboot(instanceId: string): void {
    const entry = this.instancesById.get(instanceId);
    if (!entry) return;
    entry.status = 'Stopping';
    this.later(this.timings.stoppingMs, () => {
      entry.status = 'Starting';
      this.later(this.timings.bootMs, () => {
        entry.kernel = entry.staged ?? entry.kernel;
        entry.staged = undefined;
        entry.status = 'Running';
      });
    });
  }

  async startListener(spec: { loadBalancerId: string; address: string; port: number }) {
    const dataPlane = `${spec.address}:${spec.port}`;
    this.listeners.set(`${spec.loadBalancerId}:${spec.port}`, dataPlane);
    return { dataPlane };
  }

  async stopListener(loadBalancerId: string, port: number): Promise<void> {
    this.listeners.delete(`${loadBalancerId}:${port}`);
  }

  backendHealth(_lb: string, _port: number, serverId: string): BackendHealthState {
    const entry = this.instancesById.get(serverId);
    return entry?.status === 'Running' ? this.health : 'abnormal';
  }

  setDnsRecords(records: DnsAnswerRecord[]): void {
    this.records = records;
  }

  injectFault(fault: WorldFault): void {
    this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults = [];
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(ms, resolve));
  }
}

export const fakeWorld: WorldFactory = async ({ stateDir, dnsAddress, timings }) =>
  new FakeWorld(`${dnsAddress}:53053`, stateDir, timings);
