/**
 * What the Alibaba Cloud products drainctl calls share in one region: the checked region, each
 * product's endpoint, one credential (the chain resolved once, its secrets registered), the
 * settings every SDK client is built with, and a caller per product under the one retry policy.
 */
import { getLogger, type Logger } from '../../log/index.js';
import type { Clock, RateBuckets } from '../../ports/index.js';
import { type CloudCaller, createCloudCaller, type RetryOptions } from './transport/cloud-call.js';
import { type StaticCredentials, TrackedCredential } from './transport/credentials.js';
import {
  checkRegionAndEndpoint,
  type ProductEndpoint,
  productEndpoint,
} from './transport/endpoints.js';
import {
  ActionRateLimiter,
  type RateLimitSettings,
  rateLimitsFor,
} from './transport/rate-limits.js';
import { clearSdkReadTimersOnRelease } from './transport/read-timers.js';
import type { CloudProduct } from './transport/retry-policy.js';

/**
 * Connect timeout of every API call. The HTTP layer (httpx) also uses it as the socket's idle
 * timeout, so it bounds a silent server as well.
 */
export const CONNECT_TIMEOUT_MS = 10_000;
/** Read timeout of every API call: no answer within this is a (retryable) transport failure. */
export const READ_TIMEOUT_MS = 20_000;

/** How to reach Alibaba Cloud: what every product's client shares. */
export interface SessionOptions {
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
  /** Per-action API rate limits; default: the documented ones (transport/rate-limits.ts). */
  rateLimits?: RateLimitSettings;
  /** Buckets every `drainctl serve` replica draws from, so the limits hold for the account. */
  rateBuckets?: RateBuckets;
}

/** What each product's SDK client is constructed with. */
export interface ProductClientSettings {
  endpoint: string;
  protocol: ProductEndpoint['protocol'];
  regionId: string;
  credential: TrackedCredential;
  connectTimeout: number;
  readTimeout: number;
}

export interface AliyunSession {
  region: string;
  credential: TrackedCredential;
  endpoints: Record<CloudProduct, ProductEndpoint>;
  clientSettings(product: CloudProduct): ProductClientSettings;
  /** The retry policy around one product's calls. */
  caller(product: CloudProduct): CloudCaller;
}

export function openAliyunSession(options: SessionOptions): AliyunSession {
  const { region, endpoint: override } = checkRegionAndEndpoint(options);
  clearSdkReadTimersOnRelease();
  const credential = new TrackedCredential(options.credentials);
  const logger = options.logger ?? getLogger();
  const clock = options.clock;
  const endpoints = {
    slb: productEndpoint('slb', region, override),
    alidns: productEndpoint('alidns', region, override),
    ecs: productEndpoint('ecs', region, override),
  };
  // One limiter per product for the whole session: every client of it shares the buckets.
  const limiter = (product: CloudProduct) =>
    new ActionRateLimiter(
      rateLimitsFor(product, options.rateLimits),
      clock,
      options.rateBuckets === undefined ? undefined : { buckets: options.rateBuckets, product },
    );
  const limiters = { slb: limiter('slb'), alidns: limiter('alidns'), ecs: limiter('ecs') };
  return {
    region,
    credential,
    endpoints,
    clientSettings: (product) => ({
      endpoint: endpoints[product].host,
      protocol: endpoints[product].protocol,
      regionId: region,
      credential,
      connectTimeout: options.timeouts?.connectMs ?? CONNECT_TIMEOUT_MS,
      readTimeout: options.timeouts?.readMs ?? READ_TIMEOUT_MS,
    }),
    caller: (product) =>
      createCloudCaller({
        product,
        logger,
        clock,
        ...(options.retry ? { retry: options.retry } : {}),
        limiter: limiters[product],
        target: () => ({
          region,
          endpoint: endpoints[product].host,
          endpointOverridden: endpoints[product].overridden,
          credentialSource: credential.source,
        }),
      }),
  };
}
