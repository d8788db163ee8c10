/**
 * The load balancer as drainctl needs it: find or create one, ensure and start listeners, read
 * and change backend weights, read the balancer's own view of backend health. Implemented by
 * adapters (Alibaba Cloud SLB first); the engine and the planner only see these types. All
 * numbers are numbers here, whatever the wire says.
 */

export type ListenerProtocol = 'tcp' | 'udp' | 'http' | 'https';
export type LoadBalancerStatus = 'active' | 'inactive' | 'locked';
/** `unavailable` means "not checked (yet)", e.g. health checks off or a listener just started. */
export type BackendHealth = 'normal' | 'abnormal' | 'unavailable';
export type ListenerStatus = 'running' | 'stopped' | 'starting' | 'stopping' | 'configuring';

export interface ListenerHealthCheck {
  enabled: boolean;
  /** Layer-4 listeners: a TCP handshake or an HTTP request; layer-7 listeners: always http. */
  type: 'tcp' | 'http';
  uri?: string;
  domain?: string;
  method?: 'head' | 'get';
  /** e.g. ['http_2xx', 'http_3xx'] */
  httpCodes?: string[];
  connectPort?: number;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export interface ListenerConfig {
  protocol: ListenerProtocol;
  port: number;
  backendPort: number;
  /** wrr and rr on every protocol; sch and tch on tcp and udp; qch on udp only. */
  scheduler: 'wrr' | 'rr' | 'sch' | 'tch' | 'qch';
  healthCheck: ListenerHealthCheck;
  /** Megabits per second; -1 is unlimited. */
  bandwidth?: number;
  /** TCP only (the UDP actions have no connection drain). */
  connectionDrain?: { enabled: boolean; timeoutSeconds?: number };
  /** HTTP/HTTPS only. */
  xForwardedFor?: boolean;
  /** HTTPS only. */
  serverCertificateId?: string;
}

export interface Listener extends ListenerConfig {
  status: ListenerStatus;
}

export interface BackendServer {
  serverId: string;
  weight: number;
  /** ecs | eni | eci */
  type: string;
  serverIp?: string;
  port?: number;
  description?: string;
}

export interface LoadBalancerInfo {
  id: string;
  name: string;
  /** The service address clients reach (public or VPC IP). */
  address: string;
  addressType: 'internet' | 'intranet';
  status: LoadBalancerStatus;
  regionId: string;
  networkType?: string;
  vpcId?: string;
  createTime?: string;
  tags: Record<string, string>;
  listeners: Array<{ port: number; protocol: ListenerProtocol }>;
  backends: BackendServer[];
}

export interface CreateLoadBalancerRequest {
  name: string;
  addressType: 'internet' | 'intranet';
  spec?: string;
  vpcId?: string;
  vSwitchId?: string;
  masterZoneId?: string;
  slaveZoneId?: string;
  bandwidth?: number;
  internetChargeType?: 'paybytraffic' | 'paybybandwidth';
  tags: Record<string, string>;
  deleteProtection?: boolean;
  /** Idempotency key: the same token with the same request never creates a second balancer. */
  clientToken: string;
}

export interface BackendHealthStatus {
  serverId: string;
  serverIp?: string;
  port: number;
  listenerPort: number;
  protocol: ListenerProtocol;
  health: BackendHealth;
}

export interface BackendWeight {
  serverId: string;
  weight: number;
  type?: 'ecs' | 'eni' | 'eci';
  /** The IP of an ENI or elastic container instance (one ENI may be attached by several IPs). */
  serverIp?: string;
  port?: number;
  description?: string;
}

/** How hard a tag read tries (absent: the adapter's ordinary retry budget). */
export interface TagReadOptions {
  /** Give up after about this long, every attempt and wait included. */
  withinMs?: number;
  /** Cut the read short (and reject) when this aborts. */
  signal?: AbortSignal;
}

export interface LoadBalancer {
  /** Throws a DrainctlError with code `LOAD_BALANCER_NOT_FOUND` for an unknown id. */
  describe(loadBalancerId: string): Promise<LoadBalancerInfo>;
  /** Every balancer with this name carrying all of `tags` (a re-run finds what it created). */
  findByName(name: string, tags: Record<string, string>): Promise<LoadBalancerInfo[]>;
  /** Idempotent by `clientToken`; resolves once the balancer is `active`. */
  create(request: CreateLoadBalancerRequest): Promise<LoadBalancerInfo>;
  delete(loadBalancerId: string): Promise<void>;
  describeListener(
    loadBalancerId: string,
    port: number,
    protocol: ListenerProtocol,
  ): Promise<Listener | undefined>;
  /** Creates the listener if missing; an existing one with another config is an error, never changed silently. */
  ensureListener(loadBalancerId: string, config: ListenerConfig): Promise<Listener>;
  startListener(loadBalancerId: string, port: number, protocol: ListenerProtocol): Promise<void>;
  stopListener(loadBalancerId: string, port: number, protocol: ListenerProtocol): Promise<void>;
  deleteListener(loadBalancerId: string, port: number, protocol: ListenerProtocol): Promise<void>;
  listBackends(loadBalancerId: string): Promise<BackendServer[]>;
  /** Batched by the API's limit (20 per call). */
  addBackends(loadBalancerId: string, backends: BackendWeight[]): Promise<void>;
  /** Changes weights of attached backends only; batched by 20. */
  setBackendWeights(loadBalancerId: string, weights: BackendWeight[]): Promise<void>;
  removeBackends(loadBalancerId: string, serverIds: string[]): Promise<void>;
  /** The balancer's own health view, for one listener or all. */
  healthStatus(loadBalancerId: string, listenerPort?: number): Promise<BackendHealthStatus[]>;
  /**
   * The balancer's tags, key → value (a run's cloud-side marker is one of them). With
   * `options.withinMs` the read gives up after about that long (at most two attempts) instead
   * of the adapter's full retry budget: for checks that must not stall what follows them.
   */
  getTags(loadBalancerId: string, options?: TagReadOptions): Promise<Record<string, string>>;
  /** Adds tags, overwriting the value of a key that is already there. */
  setTags(loadBalancerId: string, tags: Record<string, string>): Promise<void>;
  /** Removes tags by key; keys that are not there are ignored. */
  removeTags(loadBalancerId: string, keys: string[]): Promise<void>;
}
