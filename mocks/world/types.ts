/**
 * The seam between the emulator's control plane (mocks/server, mocks/slb, mocks/dns, mocks/ecs:
 * the API handlers and their stores) and its simulated world (mocks/world: instances with their
 * apps and access logs, listener data planes with health checks, the authoritative DNS server,
 * Cloud Assistant's command interpretation, reboots and world faults).
 *
 * The control plane owns API state (what the cloud *says*); the world owns processes and sockets
 * (what *happens*). Handlers call the world through this interface only. Change it additively.
 * Like everything in mocks/, this never imports from src/.
 */

export type InstanceState = 'Pending' | 'Running' | 'Stopping' | 'Stopped' | 'Starting';

export interface InstanceSpec {
  id: string;
  name: string;
  hostname: string;
  /** Loopback address of its own (127.0.0.0/8) — the instance's "private IP". */
  privateIp: string;
  /** Every instance serves its app on the same port, as real servers behind one listener do. */
  appPort: number;
  /** Kernel release the instance boots with, e.g. 3.10.0-1160.el7.x86_64. */
  kernel: string;
  /** Kernel a package update stages; booted by the next reboot. */
  availableKernel: string;
  osName: string;
  /** A Windows instance: Cloud Assistant runs PowerShell on it (commands/powershell.ts). */
  windows?: WindowsFacts;
}

/** Windows Update on an emulated instance; the build is `kernel`, the update's build `availableKernel`. */
export interface WindowsFacts {
  hotfixes: string[];
  /** The KBs the offered update installs; listed by Get-HotFix once its build has booted. */
  updateKbs: string[];
  /** The service that is the app. */
  service: string;
}

/** The language of a Cloud Assistant script: RunShellScript or RunPowerShellScript. */
export type ScriptLanguage = 'shell' | 'powershell';

export interface InstanceView {
  id: string;
  name: string;
  privateIp: string;
  /** "host:port" of the instance's app. */
  app: string;
  /** The running kernel. */
  kernel: string;
  /** The boot loader's default entry when it is not the running kernel: started by the next reboot. */
  stagedKernel?: string;
  /** Every kernel installed, oldest first. */
  kernels: string[];
  status: InstanceState;
  /** nginx `combined` access log the app writes. */
  accessLog: string;
}

/** What Cloud Assistant reports for one instance after a command ends. */
export interface CommandOutcome {
  /** Success: exit 0; Failed: non-zero exit; Timeout: ran past its timeout; Error: could not run. */
  status: 'Success' | 'Failed' | 'Timeout' | 'Error';
  exitCode: number;
  output: string;
  errorCode?: string;
  errorInfo?: string;
  startTime: string;
  finishedTime: string;
}

export interface ListenerHealthCheckConfig {
  enabled: boolean;
  /** Layer-4 listeners: tcp handshake or http; layer 7: http. */
  type: 'tcp' | 'http';
  uri: string;
  domain?: string;
  method: 'head' | 'get';
  /** e.g. ['http_2xx', 'http_3xx'] */
  httpCodes: string[];
  connectPort?: number;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export interface ListenerSpec {
  loadBalancerId: string;
  /** The balancer's address (a loopback IP of its own); the data plane binds address:port. */
  address: string;
  port: number;
  protocol: 'tcp' | 'udp' | 'http' | 'https';
  backendPort: number;
  scheduler: string;
  healthCheck: ListenerHealthCheckConfig;
  xForwardedFor: boolean;
  idleTimeoutSeconds: number;
  requestTimeoutSeconds: number;
}

/** A backend as the data plane needs it; read afresh for every new connection or request. */
export interface BackendTarget {
  serverId: string;
  ip: string;
  port: number;
  weight: number;
}

export type BackendHealthState = 'normal' | 'abnormal' | 'unavailable';

export interface DnsAnswerRecord {
  /** Fully qualified name, lower case, no trailing dot: www.example.com */
  name: string;
  type: string;
  value: string;
  ttl: number;
}

export type WorldFault =
  | { kind: 'boot-failure'; instanceId: string }
  | { kind: 'unhealthy-after-reboot'; instanceId: string; seconds: number }
  | { kind: 'app-5xx-after-reboot'; instanceId: string; rate: number }
  | { kind: 'health-flapping'; instanceId: string; periodSeconds: number; seconds: number }
  /**
   * The new version is bad: while `kernel` runs (default: the kernel an update installs) the app
   * is unhealthy, answers 5xx to `rate` (default 1) of real requests, or (`slow`) answers them
   * `delayMs` (default 1000) late; on any other kernel it is healthy.
   */
  | {
      kind: 'bad-version';
      instanceId: string;
      kernel?: string;
      effect: 'unhealthy' | '5xx' | 'slow';
      rate?: number;
      delayMs?: number;
    };

export interface World {
  addInstance(spec: InstanceSpec): Promise<void>;
  instance(id: string): InstanceView | undefined;
  instances(): InstanceView[];
  /** Interprets a Cloud Assistant script (never executes shell): updates stage a kernel, `uname -r` prints it, `reboot` reboots. */
  runCommand(
    instanceId: string,
    script: string,
    timeoutSeconds: number,
    language?: ScriptLanguage,
  ): Promise<CommandOutcome>;
  /** Running → Stopping → Starting → Running; open connections are reset; the staged kernel boots. */
  reboot(instanceId: string): void;
  /** Binds a real proxy on spec.address:spec.port and starts its health checks. */
  startListener(
    spec: ListenerSpec,
    backends: () => BackendTarget[],
  ): Promise<{ dataPlane: string }>;
  stopListener(loadBalancerId: string, port: number): Promise<void>;
  backendHealth(loadBalancerId: string, listenerPort: number, serverId: string): BackendHealthState;
  /** "host:port" of the authoritative DNS server (UDP). */
  readonly dnsServer: string;
  /**
   * The control plane pushes the complete record set after every Alidns change. `zones` are the
   * Alidns domains (e.g. `example.com`): names under them that have no record get NXDOMAIN,
   * names outside them REFUSED. Without `zones`, each record's last two labels are its zone.
   */
  setDnsRecords(records: DnsAnswerRecord[], zones?: string[]): void;
  injectFault(fault: WorldFault): void;
  clearFaults(): void;
  close(): Promise<void>;
}
