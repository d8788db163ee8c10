/**
 * The composition root of a run: builds the engine's ports from the environment. Alibaba Cloud
 * for the balancer, DNS and ECS hosts (one endpoint when DRAINCTL_CLOUD_ENDPOINT names the
 * emulator), SSH hosts for machines outside the cloud, the local shell for `local` hooks, the
 * access-log and connection probes, health checks, the system clock. Nothing else in drainctl
 * decides which adapter serves a port.
 */
import { type CloudPorts, cloudPortsOptionsFrom, createCloudPorts } from '../adapters/index.js';
import { createLocalHost } from '../adapters/local/local-host.js';
import { systemClock } from '../adapters/local/system-clock.js';
import { createSshHost } from '../adapters/ssh/index.js';
import type { DrainctlEnvironment } from '../config/index.js';
import type { EnginePorts } from '../engine/engine-ports.js';
import { type Logger, registerSecret } from '../log/index.js';
import { hostInstanceId } from '../plan/host-target.js';
import type { HostTarget } from '../plan/types.js';
import type { CloudRetryEvent, CloudRetryFeed, Host } from '../ports/index.js';
import { createHealthChecker } from '../probes/health/index.js';
import { createTrafficProbeFactory } from '../probes/traffic-probe-factory.js';

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
  const clock = systemClock;
  const retries = retryFeed();
  const cloud = createCloudPorts(
    cloudPortsOptionsFrom(options.environment, options.region, {
      logger: options.logger,
      clock,
      ...keysFrom(options.env),
      ...(isLoopback(options.environment.cloudEndpoint) ? { waits: LOOPBACK_WAITS } : {}),
      retry: { onRetry: retries.tell },
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
