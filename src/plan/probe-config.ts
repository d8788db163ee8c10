/**
 * Each server's drain probe, resolved: the access-log path with its placeholders filled in, the
 * SSH source when logs are tailed remotely, the filter that tells health checks from traffic
 * (including the listener's own health-check request), and which address is the client.
 */
import type {
  ListenerConfig,
  LogFormat,
  TrafficFilter,
  TrafficProbeConfig,
} from '../ports/index.js';
import { type DrainSpec, expandTemplate } from '../workflow/index.js';
import type { FleetNode } from './fleet.js';
import { sshTarget } from './host-target.js';
import type { PlanContext } from './plan-context.js';

type AccessLogFormatSpec = Extract<DrainSpec['probe'], { kind: 'access-log' }>['format'];

export type DrainProbe = TrafficProbeConfig | { kind: 'none'; waitSeconds: number };
export type RestoreProbe = TrafficProbeConfig | { kind: 'none' };

export function drainProbe(ctx: PlanContext, node: FleetNode): DrainProbe {
  const probe = ctx.spec.drain.probe;
  if (probe.kind === 'none') return { kind: 'none', waitSeconds: probe.waitSeconds };
  if (probe.kind === 'connections') {
    const port = probe.port ?? ctx.listeners[0]?.backendPort;
    if (port === undefined) {
      ctx.problems.add(
        ['drain', 'probe', 'port'],
        'the service port whose connections are counted (no listener to take it from)',
        'nothing',
      );
    }
    return { kind: 'connections', port: port ?? 0, ignoreCidrs: probe.ignoreCidrs };
  }
  const path = expandTemplate(probe.path, {
    instanceId: node.id,
    name: node.name,
    ...(node.instance.privateIp === undefined ? {} : { privateIp: node.instance.privateIp }),
  });
  if (probe.path.includes('{privateIp}') && node.instance.privateIp === undefined) {
    ctx.problems.add(['drain', 'probe', 'path'], `a private IP for ${node.id}`, 'none');
  }
  const ssh = probe.source === 'ssh' ? sshTarget(ctx, node) : undefined;
  const source =
    ssh === undefined
      ? { type: 'local' as const, path }
      : {
          type: 'ssh' as const,
          host: ssh.address,
          port: ssh.port,
          username: ssh.username,
          path,
          ...(ssh.privateKeyPath === undefined ? {} : { privateKeyPath: ssh.privateKeyPath }),
          ...(ssh.knownHostsPath === undefined ? {} : { knownHostsPath: ssh.knownHostsPath }),
          ...(ssh.hostKeyFingerprint === undefined
            ? {}
            : { hostKeyFingerprint: ssh.hostKeyFingerprint }),
        };
  return {
    kind: 'access-log',
    source,
    format: logFormatFromSpec(probe.format),
    filter: trafficFilter(ctx),
  };
}

/** The access-log `format` of a workflow (or of `drainctl watch --format`) as the probe takes it. */
export function logFormatFromSpec(format: AccessLogFormatSpec): LogFormat {
  return typeof format === 'string' ? { kind: format } : { kind: 'nginx', logFormat: format.nginx };
}

/** Restores watch 5xx answers in the access log; other probes cannot see them. */
export function restoreProbe(ctx: PlanContext, node: FleetNode): RestoreProbe {
  const probe = drainProbe(ctx, node);
  return probe.kind === 'access-log' ? probe : { kind: 'none' };
}

function trafficFilter(ctx: PlanContext): TrafficFilter {
  const probe = ctx.spec.drain.probe;
  const filter =
    probe.kind === 'access-log'
      ? probe.filter
      : { ignoreCidrs: [], ignoreUserAgents: [], ignorePaths: [], clientAddress: 'auto' as const };
  const checked = ctx.listeners.find(
    (listener) => listener.healthCheck.enabled && listener.healthCheck.type === 'http',
  );
  return {
    ignoreCidrs: filter.ignoreCidrs,
    ignoreUserAgents: filter.ignoreUserAgents,
    ignorePaths: filter.ignorePaths,
    ...(checked === undefined
      ? {}
      : {
          healthCheck: {
            method: checked.healthCheck.method === 'get' ? ('GET' as const) : ('HEAD' as const),
            uri: checked.healthCheck.uri ?? '/',
          },
        }),
    clientAddress:
      filter.clientAddress === 'auto' ? clientAddressFor(ctx.listeners) : filter.clientAddress,
  };
}

/**
 * Layer-7 listeners reach the server from the balancer's addresses (the client is in
 * X-Forwarded-For); layer-4 ones show the client itself. With an http listener present, the
 * forwarded address is the one that tells a client from a health check.
 */
export function clientAddressFor(
  listeners: readonly ListenerConfig[],
): 'remote_addr' | 'x_forwarded_for' {
  return listeners.some((listener) => listener.protocol === 'http' || listener.protocol === 'https')
    ? 'x_forwarded_for'
    : 'remote_addr';
}
