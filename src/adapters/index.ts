/**
 * Adapters: one folder per mechanism (aliyun/, ssh/, local/), each implementing ports; this file
 * builds the cloud ports for a region as one object — Alibaba Cloud for the load balancer, DNS
 * and hosts, and Node's resolver for DNS confirmation — for the composition root
 * (src/app/composition-root.ts), which alone imports adapters. Callers pass configuration
 * explicitly (region, endpoint, credentials) rather than this module reading the environment,
 * so tests never need to mutate process.env.
 *
 * Must not import (lint-enforced): a mechanism folder another's (long-timer.ts is shared), the
 * engine, the planner, probes, src/app, src/cli, the demo or the emulator; of the workflow only
 * its CIDR parser.
 */
import type { DrainctlEnvironment } from '../config/index.js';
import { InvalidInputError } from '../errors/index.js';
import type {
  Clock,
  Dns,
  DnsResolver,
  Host,
  LoadBalancer,
  ServerAttachments,
} from '../ports/index.js';
import { type AliyunOptions, createAliyunPorts, LOAD_BALANCER_METHODS } from './aliyun/index.js';
import { loadedOnFirstCall } from './aliyun/loaded-on-first-call.js';
import { createDnsResolver } from './local/dns-resolver.js';
import { systemClock } from './local/system-clock.js';

export type CloudPortsOptions = Omit<AliyunOptions, 'clock'> & {
  /** Default: the system clock. */
  clock?: Clock;
};

export interface CloudPorts {
  loadBalancer: LoadBalancer;
  attachments: ServerAttachments;
  dns: Dns;
  host: Host;
  resolver: DnsResolver;
}

/**
 * Every cloud-facing port for one region. Building them loads no SDK: each product's is loaded
 * on its port's first call (aliyun/index.ts).
 *
 * @example
 *   const ports = createCloudPorts({ region: 'cn-hangzhou', endpoint: 'http://127.0.0.1:8080',
 *     credentials: { accessKeyId: 'LTAI…', accessKeySecret: '…' } });
 */
export function createCloudPorts(options: CloudPortsOptions): CloudPorts {
  return {
    ...createAliyunPorts({ ...options, clock: options.clock ?? systemClock }),
    resolver: createDnsResolver(),
  };
}

/**
 * Options from drainctl's environment: the region of the workflow, else ALIBABA_CLOUD_REGION_ID;
 * DRAINCTL_CLOUD_ENDPOINT and DRAINCTL_API_RATE_LIMITS when set. Credentials come from the
 * default chain.
 */
export function cloudPortsOptionsFrom(
  environment: DrainctlEnvironment,
  workflowRegion: string | undefined,
  extra: Omit<CloudPortsOptions, 'region' | 'endpoint'> = {},
): CloudPortsOptions {
  const region = workflowRegion ?? environment.regionId;
  if (region === undefined) {
    throw new InvalidInputError(
      'no region: the workflow names none and ALIBABA_CLOUD_REGION_ID is not set',
      {
        path: 'region',
        expected: 'a region in the workflow, or ALIBABA_CLOUD_REGION_ID (e.g. cn-hangzhou)',
        found: 'nothing',
      },
    );
  }
  return {
    ...extra,
    region,
    ...(environment.cloudEndpoint ? { endpoint: environment.cloudEndpoint } : {}),
    ...(environment.apiRateLimits ? { rateLimits: environment.apiRateLimits } : {}),
  };
}

/**
 * A LoadBalancer port built on its first call: a balancer you run yourself needs the run's
 * servers (and an import of its adapter) before it can answer, which a caller that builds ports
 * synchronously does not have yet.
 */
export function loadBalancerOnFirstCall(load: () => Promise<LoadBalancer>): LoadBalancer {
  return loadedOnFirstCall<LoadBalancer>(LOAD_BALANCER_METHODS, load);
}
