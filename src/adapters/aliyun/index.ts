/**
 * Alibaba Cloud adapters: the LoadBalancer port on SLB (CLB), Dns on Alidns, Host on ECS with
 * Cloud Assistant. Owns the SDK clients, the credential chain, endpoints, the one retry policy
 * and the parsing of every answer into our own types. Must not import the engine, the planner,
 * the emulator or another adapter folder; everything else in drainctl sees only the ports.
 */
import type { Logger } from '../../log/index.js';
import { getLogger } from '../../log/index.js';
import type { Clock, Dns, Host, LoadBalancer } from '../../ports/index.js';
import { AlidnsApi } from './dns/alidns-client.js';
import { AlidnsDns } from './dns/alidns-dns.js';
import { EcsApi } from './ecs/ecs-client.js';
import { DEFAULT_ECS_WAITS, EcsHost, type EcsWaits } from './ecs/ecs-host.js';
import { SlbClient } from './slb/slb-client.js';
import { DEFAULT_SLB_WAITS, SlbLoadBalancer, type SlbWaits } from './slb/slb-load-balancer.js';
import { type CloudCaller, createCloudCaller, type RetryOptions } from './transport/cloud-call.js';
import { type StaticCredentials, TrackedCredential } from './transport/credentials.js';
import { checkRegion, type ProductEndpoint, productEndpoint } from './transport/endpoints.js';
import type { CloudProduct } from './transport/retry-policy.js';
import {
  AlidnsClient,
  EcsClient,
  OpenApiClient,
  OpenApiConfig,
  type ProductClientConfig,
} from './transport/sdk-modules.js';

export type { RetryOptions } from './transport/cloud-call.js';
export { AliyunApiError, type AliyunErrorCode } from './transport/cloud-error.js';
export type { StaticCredentials } from './transport/credentials.js';
export {
  DEFAULT_RETRY_BUDGET,
  type RetryBudget,
  SLB_BUSY_RETRY_BUDGET,
} from './transport/retry-policy.js';
export type { EcsWaits, SlbWaits };

/**
 * Connect timeout of every API call. The HTTP layer (httpx) also uses it as the socket's idle
 * timeout, so it bounds a silent server as well.
 */
export const CONNECT_TIMEOUT_MS = 10_000;
/** Read timeout of every API call: no answer within this is a (retryable) transport failure. */
export const READ_TIMEOUT_MS = 20_000;

export interface AliyunOptions {
  /** e.g. cn-hangzhou. */
  region: string;
  /** One endpoint for every product (the emulator): `http://127.0.0.1:PORT`. */
  endpoint?: URL | string;
  /** Explicit keys; without them the default credential chain is used. */
  credentials?: StaticCredentials;
  /** Every wait (balancer active, command end, reboot) runs on it. */
  clock: Clock;
  logger?: Logger;
  retry?: RetryOptions;
  timeouts?: { connectMs?: number; readMs?: number };
  /** How often and how long the adapters wait for the cloud (tests shorten them). */
  waits?: { slb?: Partial<SlbWaits>; ecs?: Partial<EcsWaits> };
}

/** The typed API clients, for tests and tools that need a call the ports do not offer. */
export interface AliyunClients {
  slb: SlbClient;
  alidns: AlidnsApi;
  ecs: EcsApi;
  credential: TrackedCredential;
  endpoints: Record<CloudProduct, ProductEndpoint>;
}

export function createAliyunClients(options: AliyunOptions): AliyunClients {
  const region = checkRegion(options.region, 'region');
  const override = options.endpoint === undefined ? undefined : new URL(String(options.endpoint));
  const credential = new TrackedCredential(options.credentials);
  const logger = options.logger ?? getLogger();
  const clock = options.clock;
  const endpoints = {
    slb: productEndpoint('slb', region, override),
    alidns: productEndpoint('alidns', region, override),
    ecs: productEndpoint('ecs', region, override),
  };
  const config = (product: CloudProduct) => ({
    endpoint: endpoints[product].host,
    protocol: endpoints[product].protocol,
    regionId: region,
    credential,
    connectTimeout: options.timeouts?.connectMs ?? CONNECT_TIMEOUT_MS,
    readTimeout: options.timeouts?.readMs ?? READ_TIMEOUT_MS,
  });
  const caller = (product: CloudProduct): CloudCaller =>
    createCloudCaller({
      product,
      logger,
      clock,
      ...(options.retry ? { retry: options.retry } : {}),
      target: () => ({
        region,
        endpoint: endpoints[product].host,
        endpointOverridden: endpoints[product].overridden,
        credentialSource: credential.source,
      }),
    });
  return {
    slb: new SlbClient(new OpenApiClient(new OpenApiConfig(config('slb'))), caller('slb'), region),
    alidns: new AlidnsApi(
      new AlidnsClient(config('alidns') as unknown as ProductClientConfig),
      caller('alidns'),
    ),
    ecs: new EcsApi(
      new EcsClient(config('ecs') as unknown as ProductClientConfig),
      caller('ecs'),
      region,
    ),
    credential,
    endpoints,
  };
}

export interface AliyunPorts {
  loadBalancer: LoadBalancer;
  dns: Dns;
  host: Host;
}

/**
 * The three cloud ports on Alibaba Cloud.
 *
 * @example
 *   const { loadBalancer } = createAliyunPorts({ region: 'cn-hangzhou', clock: systemClock });
 *   await loadBalancer.describe('lb-bp1…');
 */
export function createAliyunPorts(options: AliyunOptions): AliyunPorts {
  const clients = createAliyunClients(options);
  const { clock } = options;
  return {
    loadBalancer: new SlbLoadBalancer(clients.slb, options.region, clock, {
      ...DEFAULT_SLB_WAITS,
      ...options.waits?.slb,
    }),
    dns: new AlidnsDns(clients.alidns),
    host: new EcsHost(clients.ecs, clock, options.logger ?? getLogger(), {
      ...DEFAULT_ECS_WAITS,
      ...options.waits?.ecs,
    }),
  };
}
