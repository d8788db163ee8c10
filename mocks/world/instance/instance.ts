/**
 * One simulated ECS instance: its status as the hypervisor reports it, its kernels, its app and
 * access log, and its reboots. A reboot goes Stopping → Starting → Running; the app is killed at
 * the start (open connections reset) and comes back on the same address a little after Running,
 * with the staged kernel — unless a boot-failure fault keeps the OS from coming up.
 */
import path from 'node:path';
import { type CommandHost, runScript } from '../commands/cloud-assistant.js';
import type { MachineFacts, PackageTransaction } from '../commands/machine-facts.js';
import { powershellInterpreter } from '../commands/powershell.js';
import type { ResolvedOptions } from '../options.js';
import type { TimerSet } from '../timers.js';
import type {
  CommandOutcome,
  InstanceSpec,
  InstanceState,
  InstanceView,
  ScriptLanguage,
  WorldFault,
} from '../types.js';
import { WorldError } from '../world-error.js';
import { AccessLogWriter } from './access-log.js';
import { AppServer } from './app-server.js';
import { InstanceFaults } from './instance-faults.js';
import { fetchFromMachine } from './machine-http.js';

export interface InstanceDeps {
  options: ResolvedOptions;
  timers: TimerSet;
  isHealthCheckSource: (address: string) => boolean;
}

export class Instance {
  private state: InstanceState = 'Running';
  private kernel: string;
  /** The boot loader's default entry: the kernel the next boot starts. */
  private defaultKernel: string;
  /** Installed kernels, oldest first. */
  private kernels: string[];
  private readonly transactions: PackageTransaction[];
  private generation = 0;
  /** The OS (and with it Cloud Assistant's agent) as far as it has come since the last boot. */
  private os: 'up' | 'booting' | 'failed' = 'up';
  private readonly faults = new InstanceFaults();
  private readonly app: AppServer;
  readonly accessLog: string;

  constructor(
    readonly spec: InstanceSpec,
    private readonly deps: InstanceDeps,
  ) {
    this.kernel = spec.kernel;
    this.defaultKernel = spec.kernel;
    this.kernels = [spec.kernel];
    // The installation itself is the first transaction, as on a freshly built machine.
    this.transactions = [
      { id: 1, at: Date.now(), commandLine: '', installed: [spec.kernel], erased: [] },
    ];
    this.accessLog = path.join(deps.options.stateDir, 'instances', spec.id, 'access.log');
    const { timings } = deps.options;
    this.app = new AppServer({
      identity: { instanceId: spec.id, hostname: spec.hostname },
      ip: spec.privateIp,
      port: spec.appPort,
      keepaliveRequests: Math.max(1, Math.floor(timings.keepaliveRequests)),
      keepaliveTimeoutSeconds: timings.keepaliveTimeoutSeconds,
      log: new AccessLogWriter(this.accessLog, deps.options.accessLogFormat),
      condition: () => {
        const now = Date.now();
        return {
          kernel: this.kernel,
          healthy: this.faults.healthy(now, this.kernel),
          errorRate: this.faults.currentErrorRate(this.kernel),
          extraDelayMs: this.faults.extraDelayMs(this.kernel),
        };
      },
      isHealthCheckSource: deps.isHealthCheckSource,
      random: deps.options.random,
    });
  }

  /** Brings the app up (the instance is added Running). */
  start(): Promise<void> {
    return this.app.start();
  }

  get status(): InstanceState {
    return this.state;
  }

  /** Whether a connection to the app's port would be accepted right now. */
  get serving(): boolean {
    return this.app.running;
  }

  /** For TCP health checks, which only see the port: true while health-flapping is "down". */
  flappingDown(nowMs: number): boolean {
    return this.faults.flappingDown(nowMs);
  }

  view(): InstanceView {
    const { spec } = this;
    return {
      id: spec.id,
      name: spec.name,
      privateIp: spec.privateIp,
      app: `${spec.privateIp}:${spec.appPort}`,
      kernel: this.kernel,
      ...(this.defaultKernel !== this.kernel ? { stagedKernel: this.defaultKernel } : {}),
      kernels: [...this.kernels],
      status: this.state,
      accessLog: this.accessLog,
    };
  }

  reboot(): void {
    if (this.state !== 'Running') {
      throw new WorldError(
        'IncorrectInstanceStatus',
        `instance ${this.spec.id} is ${this.state}; only a Running instance can be rebooted`,
      );
    }
    const generation = ++this.generation;
    const { timers, options } = this.deps;
    const current = () => this.generation === generation;
    this.state = 'Stopping';
    this.os = 'booting';
    this.app.stop();
    timers.after(options.timings.stoppingSeconds * 1000, () => {
      if (!current()) return;
      this.state = 'Starting';
      timers.after(options.timings.bootSeconds * 1000, () => {
        if (!current()) return;
        this.kernel = this.defaultKernel;
        this.state = 'Running';
        if (this.faults.bootFails()) {
          this.os = 'failed';
          return;
        }
        timers.after(options.timings.appStartSeconds * 1000, () => {
          if (!current()) return;
          this.os = 'up';
          this.app.start().then(
            () => this.faults.appStarted(Date.now()),
            (error: Error) => options.onError(error),
          );
        });
      });
    });
  }

  runCommand(
    script: string,
    timeoutSeconds: number,
    language: ScriptLanguage = 'shell',
  ): Promise<CommandOutcome> {
    const host: CommandHost = {
      status: () => this.state,
      agentState: () => (this.os === 'up' ? 'online' : this.os === 'booting' ? 'starting' : 'down'),
      bootGeneration: () => this.generation,
      facts: (): MachineFacts => ({
        hostname: this.spec.hostname,
        privateIp: this.spec.privateIp,
        osName: this.spec.osName,
        kernel: this.kernel,
        installedKernel: this.defaultKernel,
        kernels: [...this.kernels],
        transactions: [...this.transactions],
        availableKernel: this.spec.availableKernel,
        now: Date.now(),
        ...(this.app.running
          ? { listening: { address: this.spec.privateIp, port: this.spec.appPort } }
          : {}),
        connections: this.app.establishedConnections(),
      }),
      installKernel: (commandLine) => {
        const release = this.spec.availableKernel;
        // yum's kernel packages make the new kernel the default entry (UPDATEDEFAULT=yes).
        this.kernels = [...this.kernels.filter((k) => k !== release), release];
        this.defaultKernel = release;
        this.recordTransaction({ commandLine, installed: [release], erased: [] });
      },
      setDefaultKernel: (release) => {
        this.defaultKernel = release;
      },
      undoTransaction: ({ kernels, defaultKernel, transaction }) => {
        this.kernels = kernels;
        this.defaultKernel = defaultKernel;
        this.recordTransaction(transaction);
      },
      reloadWebServer: () => {
        if (!this.app.running) return false;
        this.app.reload();
        return true;
      },
      rebootAfter: (delaySeconds) => {
        this.deps.timers.after(delaySeconds * 1000, () => {
          if (this.state === 'Running') this.reboot();
        });
      },
      sleep: (ms) => this.deps.timers.sleep(ms),
      http: (request, timeoutMs) => fetchFromMachine(request, this.spec.privateIp, timeoutMs),
      packageUpdateSeconds: this.deps.options.timings.packageUpdateSeconds,
    };
    const { windows } = this.spec;
    // The type/OS match is Cloud Assistant's to check (RunCommand); here the script is only read.
    return language === 'powershell' && windows !== undefined
      ? runScript(host, script, timeoutSeconds, powershellInterpreter(windows))
      : runScript(host, script, timeoutSeconds);
  }

  private recordTransaction(transaction: Omit<PackageTransaction, 'id' | 'at'>): void {
    const id = (this.transactions.at(-1)?.id ?? 0) + 1;
    this.transactions.push({ id, at: Date.now(), ...transaction });
  }

  injectFault(fault: WorldFault): void {
    // A bad version names no kernel: the one an update would install.
    const resolved =
      fault.kind === 'bad-version' && fault.kernel === undefined
        ? { ...fault, kernel: this.spec.availableKernel }
        : fault;
    this.faults.inject(resolved, Date.now());
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** The world is closing: the app goes away with its connections. */
  close(): void {
    this.generation += 1;
    this.app.stop();
  }
}
