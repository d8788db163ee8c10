/**
 * Where each product's API lives. Real endpoints (Alibaba Cloud's endpoint tables, checked
 * 2026): SLB `slb.<region>.aliyuncs.com` except China (Hangzhou), whose public endpoint is
 * `slb.aliyuncs.com`; Alidns is global, `alidns.aliyuncs.com`; ECS `ecs.<region>.aliyuncs.com`.
 * An override (DRAINCTL_CLOUD_ENDPOINT, the emulator) sends every product to one host:port.
 */
import { InvalidInputError } from '../../../errors/index.js';
import type { CloudProduct } from './retry-policy.js';

export interface ProductEndpoint {
  /** `host` or `host:port`, as the SDKs want it. */
  host: string;
  protocol: 'HTTP' | 'HTTPS';
  overridden: boolean;
}

const REGION_PATTERN = /^[a-z]{2,}(?:-[a-z0-9]+)+$/;

/** A region id such as `cn-hangzhou`, `ap-southeast-1`; anything else is invalid input. */
export function checkRegion(region: string, source: string): string {
  if (!REGION_PATTERN.test(region)) {
    throw new InvalidInputError(`${source}: "${region}" is not an Alibaba Cloud region id`, {
      path: source,
      expected: 'a region id such as cn-hangzhou',
      found: region,
    });
  }
  return region;
}

/**
 * The region and the one-endpoint override of a set of adapters, checked: bad input is an error
 * when the adapters are built, before any SDK is loaded or any call is made.
 */
export function checkRegionAndEndpoint(options: { region: string; endpoint?: URL | string }): {
  region: string;
  endpoint?: URL;
} {
  const region = checkRegion(options.region, 'region');
  return options.endpoint === undefined
    ? { region }
    : { region, endpoint: new URL(String(options.endpoint)) };
}

export function productEndpoint(
  product: CloudProduct,
  region: string,
  override?: URL,
): ProductEndpoint {
  if (override !== undefined) {
    return {
      host: override.host,
      protocol: override.protocol === 'https:' ? 'HTTPS' : 'HTTP',
      overridden: true,
    };
  }
  return { host: realHost(product, region), protocol: 'HTTPS', overridden: false };
}

function realHost(product: CloudProduct, region: string): string {
  switch (product) {
    case 'slb':
      return region === 'cn-hangzhou' ? 'slb.aliyuncs.com' : `slb.${region}.aliyuncs.com`;
    case 'alidns':
      return 'alidns.aliyuncs.com';
    case 'ecs':
      return `ecs.${region}.aliyuncs.com`;
  }
}
