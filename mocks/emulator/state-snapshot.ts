/**
 * `GET /__emulator/state`: what is true in the emulated cloud right now, for tests, the demo and
 * people. Health here is the world's raw verdict (DescribeHealthStatus may soften it for weight-0
 * backends, as the real SLB does).
 */
import { backendTargets } from '../slb/data-plane.js';
import { type LoadBalancer, listenerStatus } from '../slb/store.js';
import type { BackendHealthState } from '../world/types.js';
import type { EmulatorContext } from './context.js';

export interface EmulatorState {
  instances: {
    id: string;
    privateIp: string;
    app: string;
    kernel: string;
    status: string;
    accessLog: string;
  }[];
  loadBalancers: {
    id: string;
    address: string;
    listeners: { port: number; protocol: string; status: string; dataPlane: string | null }[];
    backends: { serverId: string; weight: number; health: BackendHealthState }[];
  }[];
  /** "host:port" of the authoritative DNS server (UDP). */
  dns: string;
  records: {
    recordId: string;
    domain: string;
    rr: string;
    name: string;
    type: string;
    value: string;
    ttl: number;
  }[];
}

function backendHealth(
  loadBalancer: LoadBalancer,
  serverId: string,
  ctx: EmulatorContext,
): BackendHealthState {
  const verdicts = [...loadBalancer.listeners.values()]
    .filter(
      (listener) =>
        listenerStatus(listener, ctx.now()) !== 'stopped' && listener.healthCheck.enabled,
    )
    .filter((listener) =>
      backendTargets(loadBalancer, listener, ctx).some((t) => t.serverId === serverId),
    )
    .map((listener) => ctx.world.backendHealth(loadBalancer.id, listener.port, serverId));
  if (verdicts.includes('abnormal')) return 'abnormal';
  if (verdicts.length > 0 && verdicts.every((verdict) => verdict === 'normal')) return 'normal';
  return 'unavailable';
}

export function snapshot(ctx: EmulatorContext): EmulatorState {
  return {
    instances: [...ctx.ecs.instances.values()].map((instance) => {
      const view = ctx.world.instance(instance.id);
      return {
        id: instance.id,
        privateIp: instance.privateIp,
        app: view?.app ?? `${instance.privateIp}:${ctx.topology.appPort}`,
        kernel: view?.kernel ?? '',
        status: view?.status ?? 'Stopped',
        accessLog: view?.accessLog ?? '',
      };
    }),
    loadBalancers: [...ctx.slb.loadBalancers.values()].map((loadBalancer) => ({
      id: loadBalancer.id,
      address: loadBalancer.address,
      listeners: [...loadBalancer.listeners.values()].map((listener) => ({
        port: listener.port,
        protocol: listener.protocol,
        status: listenerStatus(listener, ctx.now()),
        dataPlane: listener.dataPlane ?? null,
      })),
      backends: [...loadBalancer.backends.values()].map((server) => ({
        serverId: server.serverId,
        weight: server.weight,
        health: backendHealth(loadBalancer, server.serverId, ctx),
      })),
    })),
    dns: ctx.world.dnsServer,
    records: [...ctx.dns.records.values()].map((record) => ({
      recordId: record.recordId,
      domain: record.domainName,
      rr: record.rr,
      name: record.rr === '@' ? record.domainName : `${record.rr}.${record.domainName}`,
      type: record.type,
      value: record.value,
      ttl: record.ttl,
    })),
  };
}
