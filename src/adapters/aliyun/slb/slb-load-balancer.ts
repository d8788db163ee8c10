/**
 * The LoadBalancer port on Alibaba Cloud SLB (CLB). Finds balancers by id or by name and tags,
 * creates them idempotently (ClientToken) and waits until they are active, ensures listeners
 * without ever changing an existing one silently, and manages backends in batches of 20.
 */
import { pollUntil } from '../../../clock/poll-until.js';
import { DrainctlError } from '../../../errors/index.js';
import { formatListenerDifference, listenerDifferences } from '../../../listener/index.js';
import type {
  BackendHealthStatus,
  BackendServer,
  BackendWeight,
  Clock,
  CreateLoadBalancerRequest,
  Listener,
  ListenerConfig,
  ListenerProtocol,
  LoadBalancer,
  LoadBalancerInfo,
  TagReadOptions,
} from '../../../ports/index.js';
import { AliyunApiError } from '../transport/cloud-error.js';
import { createListenerParams, listenerFromAttribute } from './listener-params.js';
import { mutateThenVerify } from './mutate-then-verify.js';
import { SlbBackends } from './slb-backends.js';
import type { SlbClient } from './slb-client.js';
import { toHealthStatus, toLoadBalancerInfo } from './slb-mapping.js';

export interface SlbWaits {
  /** How often a wait looks again. */
  pollIntervalMs: number;
  /** A new balancer becomes `active` within this (Terraform waits minutes; we wait 5). */
  activeTimeoutMs: number;
  /** A listener reaches `running`/`stopped` within this after Start/Stop. */
  listenerTimeoutMs: number;
}

export const DEFAULT_SLB_WAITS: SlbWaits = {
  pollIntervalMs: 2_000,
  activeTimeoutMs: 300_000,
  listenerTimeoutMs: 120_000,
};

/** Reads of a just-created balancer that may answer NotFound before that is believed. */
const NOT_FOUND_READS_AFTER_CREATE = 5;

/** DescribeLoadBalancers' page size limit. */
const PAGE_SIZE = 100;

export class SlbLoadBalancer implements LoadBalancer {
  private readonly backends: SlbBackends;

  constructor(
    private readonly client: SlbClient,
    private readonly region: string,
    private readonly clock: Clock,
    private readonly waits: SlbWaits = DEFAULT_SLB_WAITS,
  ) {
    this.backends = new SlbBackends(client);
  }

  async describe(loadBalancerId: string): Promise<LoadBalancerInfo> {
    try {
      return toLoadBalancerInfo(
        await this.client.describeLoadBalancerAttribute(loadBalancerId),
        this.region,
      );
    } catch (error) {
      if (isNotFound(error)) {
        throw new DrainctlError(
          'LOAD_BALANCER_NOT_FOUND',
          `load balancer ${loadBalancerId} does not exist in region ${this.region} (${error.cloudCode}, RequestId ${error.requestId ?? 'unknown'})`,
          { hint: 'check the load balancer id and the region of the workflow', cause: error },
        );
      }
      throw error;
    }
  }

  async findByName(name: string, tags: Record<string, string>): Promise<LoadBalancerInfo[]> {
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      const result = await this.client.describeLoadBalancers({
        name,
        tags,
        pageNumber: page,
        pageSize: PAGE_SIZE,
      });
      for (const lb of result.loadBalancers) {
        // The name filter may match loosely and tag filters are not guaranteed: check both here.
        const tagsMatch = Object.entries(tags).every(([k, v]) => lb.tags[k] === v);
        if (lb.name === name && tagsMatch) ids.push(lb.loadBalancerId);
      }
      if (result.loadBalancers.length < PAGE_SIZE || page * PAGE_SIZE >= result.totalCount) break;
    }
    return Promise.all(ids.map((id) => this.describe(id)));
  }

  async create(request: CreateLoadBalancerRequest): Promise<LoadBalancerInfo> {
    const created = await this.client.createLoadBalancer(request);
    const id = created.loadBalancerId;
    let notFoundReads = 0;
    const active = await pollUntil(
      this.clock,
      { intervalMs: this.waits.pollIntervalMs, timeoutMs: this.waits.activeTimeoutMs },
      async () => {
        let info: LoadBalancerInfo;
        try {
          info = await this.describe(id);
        } catch (error) {
          // Reads lag a create (eventual consistency): the id just returned may not be
          // readable yet. A few reads later it is, or it is truly missing.
          const lagging =
            error instanceof DrainctlError && error.code === 'LOAD_BALANCER_NOT_FOUND';
          if (lagging && ++notFoundReads < NOT_FOUND_READS_AFTER_CREATE) return undefined;
          throw error;
        }
        return info.status === 'active' ? info : undefined;
      },
    );
    if (active === undefined) {
      throw new DrainctlError(
        'LOAD_BALANCER_NOT_ACTIVE',
        `load balancer ${id} was created but is not active after ${this.waits.activeTimeoutMs / 1000} s`,
        { hint: `check it in the console; a re-run with the same workflow reuses ${id}` },
      );
    }
    return active;
  }

  async delete(loadBalancerId: string): Promise<void> {
    await mutateThenVerify(
      () => this.client.deleteLoadBalancer(loadBalancerId),
      async () => !(await this.exists(loadBalancerId)),
    );
  }

  async describeListener(
    loadBalancerId: string,
    port: number,
    protocol: ListenerProtocol,
  ): Promise<Listener | undefined> {
    if (!(await this.hasListener(loadBalancerId, port, protocol))) return undefined;
    const attr = await this.client.describeListenerAttribute(loadBalancerId, protocol, port);
    return listenerFromAttribute(protocol, attr);
  }

  async ensureListener(loadBalancerId: string, config: ListenerConfig): Promise<Listener> {
    const info = await this.describe(loadBalancerId);
    const onPort = info.listeners.find((l) => l.port === config.port);
    if (onPort !== undefined && onPort.protocol !== config.protocol) {
      throw new DrainctlError(
        'LISTENER_CONFIG_DIFFERS',
        `port ${config.port} of ${loadBalancerId} already has a ${onPort.protocol} listener; the workflow wants ${config.protocol}`,
        {
          hint: 'use another listener port in the workflow, or remove the existing listener yourself',
        },
      );
    }
    if (onPort === undefined) {
      await mutateThenVerify(
        () =>
          this.client.createListener(loadBalancerId, config.protocol, createListenerParams(config)),
        () => this.hasListener(loadBalancerId, config.port, config.protocol),
      );
    }
    const attr = await this.client.describeListenerAttribute(
      loadBalancerId,
      config.protocol,
      config.port,
    );
    const live = listenerFromAttribute(config.protocol, attr);
    // The same comparison the planner made with the same view of the listener: a plan that
    // passed is not refused here unless the listener changed since.
    const differences = listenerDifferences(live, config);
    if (differences.length > 0) {
      throw new DrainctlError(
        'LISTENER_CONFIG_DIFFERS',
        `the ${config.protocol} listener on port ${config.port} of ${loadBalancerId} differs from the workflow: ${differences.map(formatListenerDifference).join('; ')}`,
        {
          hint: 'drainctl never changes an existing listener: align the workflow with it, or change the listener yourself',
        },
      );
    }
    return live;
  }

  async startListener(loadBalancerId: string, port: number, protocol: ListenerProtocol) {
    await this.client.startListener(loadBalancerId, port, protocol);
    await this.waitForListener(loadBalancerId, port, protocol, 'running');
  }

  async stopListener(loadBalancerId: string, port: number, protocol: ListenerProtocol) {
    await this.client.stopListener(loadBalancerId, port, protocol);
    await this.waitForListener(loadBalancerId, port, protocol, 'stopped');
  }

  async deleteListener(loadBalancerId: string, port: number, protocol: ListenerProtocol) {
    if (!(await this.hasListener(loadBalancerId, port, protocol))) return;
    await mutateThenVerify(
      () => this.client.deleteListener(loadBalancerId, port, protocol),
      async () => !(await this.hasListener(loadBalancerId, port, protocol)),
    );
  }

  listBackends(loadBalancerId: string): Promise<BackendServer[]> {
    return this.backends.list(loadBalancerId);
  }

  addBackends(loadBalancerId: string, backends: BackendWeight[]): Promise<void> {
    return this.backends.add(loadBalancerId, backends);
  }

  setBackendWeights(loadBalancerId: string, weights: BackendWeight[]): Promise<void> {
    return this.backends.setWeights(loadBalancerId, weights);
  }

  removeBackends(loadBalancerId: string, serverIds: string[]): Promise<void> {
    return this.backends.remove(loadBalancerId, serverIds);
  }

  async healthStatus(
    loadBalancerId: string,
    listenerPort?: number,
  ): Promise<BackendHealthStatus[]> {
    const result = await this.client.describeHealthStatus(loadBalancerId, listenerPort);
    return result.backendServers
      .map((s) => toHealthStatus(s, listenerPort))
      .filter((s) => listenerPort === undefined || s.listenerPort === listenerPort);
  }

  async getTags(loadBalancerId: string, options?: TagReadOptions): Promise<Record<string, string>> {
    return (await this.client.describeTags(loadBalancerId, options)).tags;
  }

  async setTags(loadBalancerId: string, tags: Record<string, string>): Promise<void> {
    if (Object.keys(tags).length === 0) return;
    await this.client.addTags(loadBalancerId, tags);
  }

  async removeTags(loadBalancerId: string, keys: string[]): Promise<void> {
    const current = await this.getTags(loadBalancerId);
    const present = Object.fromEntries(
      keys.filter((key) => key in current).map((key) => [key, current[key] ?? '']),
    );
    if (Object.keys(present).length === 0) return;
    await this.client.removeTags(loadBalancerId, present);
  }

  private async hasListener(loadBalancerId: string, port: number, protocol: ListenerProtocol) {
    const info = await this.describe(loadBalancerId);
    return info.listeners.some((l) => l.port === port && l.protocol === protocol);
  }

  private async exists(loadBalancerId: string): Promise<boolean> {
    try {
      await this.client.describeLoadBalancerAttribute(loadBalancerId);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  private async waitForListener(
    loadBalancerId: string,
    port: number,
    protocol: ListenerProtocol,
    status: 'running' | 'stopped',
  ): Promise<void> {
    const reached = await pollUntil(
      this.clock,
      { intervalMs: this.waits.pollIntervalMs, timeoutMs: this.waits.listenerTimeoutMs },
      async () => {
        const attr = await this.client.describeListenerAttribute(loadBalancerId, protocol, port);
        return attr.status === status ? true : undefined;
      },
    );
    if (reached === undefined) {
      throw new DrainctlError(
        'LISTENER_NOT_READY',
        `the ${protocol} listener on port ${port} of ${loadBalancerId} is not ${status} after ${this.waits.listenerTimeoutMs / 1000} s`,
        { retryable: true },
      );
    }
  }
}

function isNotFound(error: unknown): error is AliyunApiError {
  return error instanceof AliyunApiError && error.cloudCode === 'InvalidLoadBalancerId.NotFound';
}
