/**
 * Alibaba Cloud adapters: the LoadBalancer port on SLB (CLB), Dns on Alidns, Host on ECS with
 * Cloud Assistant. Owns the SDK clients, the credential chain, endpoints, the one retry policy
 * and the parsing of every answer into our own types. Each port's adapter, and the SDK behind
 * it, is loaded on the port's first call: `plan` of a workflow without DNS never loads Alidns,
 * and building the ports loads nothing but this file. `clients.ts` builds the typed clients at
 * once, for tests and tools. Must not import the engine, the planner, the emulator or another
 * adapter folder; everything else in drainctl sees only the ports.
 */
import { getLogger } from '../../log/index.js';
import type { Dns, Host, LoadBalancer, ServerAttachments } from '../../ports/index.js';
import type { EcsWaits } from './ecs/ecs-host.js';
import { loadedOnFirstCall } from './loaded-on-first-call.js';
import type { AliyunSession, SessionOptions } from './session.js';
import type { SlbWaits } from './slb/slb-load-balancer.js';
import { checkRegionAndEndpoint } from './transport/endpoints.js';

export type { RetryOptions } from './transport/cloud-call.js';
export { AliyunApiError, type AliyunErrorCode } from './transport/cloud-error.js';
export type { StaticCredentials } from './transport/credentials.js';
export {
  DOCUMENTED_RATE_LIMITS,
  type RateLimit,
  type RateLimitSettings,
} from './transport/rate-limits.js';
export {
  DEFAULT_RETRY_BUDGET,
  type RetryBudget,
  SLB_BUSY_RETRY_BUDGET,
} from './transport/retry-policy.js';
export type { EcsWaits, SlbWaits };

export interface AliyunOptions extends SessionOptions {
  /** How often and how long the adapters wait for the cloud (tests shorten them). */
  waits?: { slb?: Partial<SlbWaits>; ecs?: Partial<EcsWaits> };
}

export interface AliyunPorts {
  loadBalancer: LoadBalancer;
  /** Where servers are attached across the region's balancers (fleet discovery). */
  attachments: ServerAttachments;
  dns: Dns;
  host: Host;
}

export const LOAD_BALANCER_METHODS: Record<keyof LoadBalancer, true> = {
  describe: true,
  findByName: true,
  create: true,
  delete: true,
  describeListener: true,
  ensureListener: true,
  startListener: true,
  stopListener: true,
  deleteListener: true,
  listBackends: true,
  addBackends: true,
  setBackendWeights: true,
  removeBackends: true,
  healthStatus: true,
  getTags: true,
  setTags: true,
  removeTags: true,
};
const ATTACHMENTS_METHODS: Record<keyof ServerAttachments, true> = {
  balancersServing: true,
  balancersTagged: true,
  vServerGroups: true,
  masterSlaveGroups: true,
  setVServerGroupWeights: true,
};
const DNS_METHODS: Record<keyof Dns, true> = {
  findRecords: true,
  getRecord: true,
  pointRecord: true,
  minimumTtl: true,
  nameServers: true,
};
const HOST_METHODS: Record<keyof Host, true> = {
  describe: true,
  findByTags: true,
  runCommand: true,
  reboot: true,
  waitUntilRunning: true,
};

/**
 * The three cloud ports on Alibaba Cloud. A bad region or endpoint throws here; credentials are
 * looked up, and each SDK loaded, when a port is first called.
 *
 * @example
 *   const { loadBalancer } = createAliyunPorts({ region: 'cn-hangzhou', clock: systemClock });
 *   await loadBalancer.describe('lb-bp1…');
 */
export function createAliyunPorts(options: AliyunOptions): AliyunPorts {
  checkRegionAndEndpoint(options);
  let opening: Promise<AliyunSession> | undefined;
  const session = () => {
    opening ??= import('./session.js').then(({ openAliyunSession }) => openAliyunSession(options));
    return opening;
  };
  return {
    loadBalancer: loadedOnFirstCall<LoadBalancer>(LOAD_BALANCER_METHODS, async () => {
      const [{ createSlbClient }, { DEFAULT_SLB_WAITS, SlbLoadBalancer }, opened] =
        await Promise.all([
          import('./slb/slb-client.js'),
          import('./slb/slb-load-balancer.js'),
          session(),
        ]);
      return new SlbLoadBalancer(createSlbClient(opened), opened.region, options.clock, {
        ...DEFAULT_SLB_WAITS,
        ...options.waits?.slb,
      });
    }),
    attachments: loadedOnFirstCall<ServerAttachments>(ATTACHMENTS_METHODS, async () => {
      const [{ createSlbClient }, { SlbAttachments }, opened] = await Promise.all([
        import('./slb/slb-client.js'),
        import('./slb/slb-attachments.js'),
        session(),
      ]);
      return new SlbAttachments(createSlbClient(opened));
    }),
    dns: loadedOnFirstCall<Dns>(DNS_METHODS, async () => {
      const [{ createAlidnsApi }, { AlidnsDns }, opened] = await Promise.all([
        import('./dns/alidns-client.js'),
        import('./dns/alidns-dns.js'),
        session(),
      ]);
      return new AlidnsDns(createAlidnsApi(opened));
    }),
    host: loadedOnFirstCall<Host>(HOST_METHODS, async () => {
      const [{ createEcsApi }, { DEFAULT_ECS_WAITS, EcsHost }, opened] = await Promise.all([
        import('./ecs/ecs-client.js'),
        import('./ecs/ecs-host.js'),
        session(),
      ]);
      return new EcsHost(createEcsApi(opened), options.clock, options.logger ?? getLogger(), {
        ...DEFAULT_ECS_WAITS,
        ...options.waits?.ecs,
      });
    }),
  };
}
