/**
 * SLB's API state: load balancers with their listeners, default backend servers, tags and vServer
 * groups, and ClientTokens seen by CreateLoadBalancer. What SLB *says*; the data planes that make
 * it true live in the world. Resettable.
 */
import type { ListenerHealthCheckConfig } from '../world/types.js';
import {
  InvalidLoadBalancerIdNotFound,
  MasterSlaveServerGroupIdNotFound,
  VServerGroupIdNotFound,
} from './errors.js';

export type ListenerProtocol = 'tcp' | 'udp' | 'http' | 'https';
export type ListenerStatus = 'stopped' | 'starting' | 'running';

export interface BackendServer {
  serverId: string;
  weight: number;
  type: string;
  description: string;
}

export interface VServerGroupServer extends BackendServer {
  port: number;
}

export interface VServerGroup {
  id: string;
  name: string;
  loadBalancerId: string;
  createdAt: number;
  servers: VServerGroupServer[];
}

/** A server of a master-slave group: the Master serves, the Slave only while the Master fails. */
export interface MasterSlaveServer extends VServerGroupServer {
  serverType: 'Master' | 'Slave';
}

export interface MasterSlaveServerGroup {
  id: string;
  name: string;
  loadBalancerId: string;
  createdAt: number;
  servers: MasterSlaveServer[];
}

export interface Listener {
  port: number;
  protocol: ListenerProtocol;
  status: ListenerStatus;
  /** Absent when the listener forwards to a vServer group. */
  backendServerPort?: number;
  vServerGroupId?: string;
  bandwidth: number;
  scheduler: string;
  description: string;
  healthCheck: ListenerHealthCheckConfig;
  persistenceTimeout: number;
  establishedTimeout: number;
  connectionDrain: 'on' | 'off';
  connectionDrainTimeout?: number;
  idleTimeout: number;
  requestTimeout: number;
  xForwardedFor: 'on' | 'off';
  stickySession: 'on' | 'off';
  stickySessionType?: string;
  cookieTimeout?: number;
  cookie?: string;
  /** HTTPS only. */
  serverCertificateId?: string;
  /** "host:port" of the world's proxy while the listener is started. */
  dataPlane?: string;
  /** While starting: when the listener reports running (the asynchrony knob). */
  runningAt?: number;
}

export interface LoadBalancer {
  id: string;
  name: string;
  address: string;
  addressType: 'internet' | 'intranet';
  networkType: 'classic' | 'vpc';
  vpcId: string;
  vSwitchId: string;
  spec: string;
  regionId: string;
  masterZoneId: string;
  slaveZoneId: string;
  createdAt: number;
  status: 'active' | 'inactive';
  internetChargeType: string;
  bandwidth: number;
  deleteProtection: 'on' | 'off';
  resourceGroupId: string;
  tags: Map<string, string>;
  /** Default server group, keyed by server id, in the order they were added. */
  backends: Map<string, BackendServer>;
  listeners: Map<number, Listener>;
  /** The asynchrony knob: changes before this instant answer ServiceIsConfiguring. */
  busyUntil: number;
}

export interface ClientTokenRecord {
  fingerprint: string;
  loadBalancerId: string;
  response: Record<string, unknown>;
}

export class SlbStore {
  readonly loadBalancers = new Map<string, LoadBalancer>();
  readonly vServerGroups = new Map<string, VServerGroup>();
  readonly masterSlaveGroups = new Map<string, MasterSlaveServerGroup>();
  readonly clientTokens = new Map<string, ClientTokenRecord>();

  reset(): void {
    this.loadBalancers.clear();
    this.vServerGroups.clear();
    this.masterSlaveGroups.clear();
    this.clientTokens.clear();
  }

  /** The load balancer, or the real 404 InvalidLoadBalancerId.NotFound. */
  get(id: string): LoadBalancer {
    const loadBalancer = this.loadBalancers.get(id);
    if (!loadBalancer) throw new InvalidLoadBalancerIdNotFound();
    return loadBalancer;
  }

  vServerGroup(id: string): VServerGroup {
    const group = this.vServerGroups.get(id);
    if (!group) throw new VServerGroupIdNotFound();
    return group;
  }

  masterSlaveGroup(id: string): MasterSlaveServerGroup {
    const group = this.masterSlaveGroups.get(id);
    if (!group) throw new MasterSlaveServerGroupIdNotFound();
    return group;
  }
}

/** A starting listener reports running once its settle time has passed. */
export function listenerStatus(listener: Listener, now: number): ListenerStatus {
  if (
    listener.status === 'starting' &&
    listener.runningAt !== undefined &&
    now >= listener.runningAt
  ) {
    listener.status = 'running';
    listener.runningAt = undefined;
  }
  return listener.status;
}
