/**
 * Listener configuration ↔ SLB parameters. Pure. The four protocols name the same things
 * differently (TCP/UDP: HealthCheckSwitch, lower-case `healthCheckInterval`,
 * HealthCheckConnectTimeout; HTTP/HTTPS: HealthCheck, HealthCheckInterval, HealthCheckTimeout),
 * so the mapping lives here and nowhere else.
 */
import type { Listener, ListenerConfig, ListenerStatus } from '../../../ports/index.js';
import type { SlbListenerAttribute } from './slb-wire.js';

/** What SLB uses when a listener is created without these (aliyun-facts.md §4). */
const DEFAULTS = {
  intervalSeconds: 2,
  timeoutSeconds: 5,
  healthyThreshold: 3,
  unhealthyThreshold: 3,
  httpCodes: ['http_2xx', 'http_3xx'],
};

const onOff = (value: boolean | undefined) =>
  value === undefined ? undefined : value ? 'on' : 'off';

/** Parameters of CreateLoadBalancer{TCP,UDP,HTTP,HTTPS}Listener for `config`. */
export function createListenerParams(
  config: ListenerConfig,
): Record<string, string | number | undefined> {
  const hc = config.healthCheck;
  const common = {
    ListenerPort: config.port,
    BackendServerPort: config.backendPort,
    Bandwidth: config.bandwidth ?? -1,
    Scheduler: config.scheduler,
    HealthyThreshold: hc.healthyThreshold,
    UnhealthyThreshold: hc.unhealthyThreshold,
    HealthCheckConnectPort: hc.connectPort,
  };
  if (config.protocol === 'tcp' || config.protocol === 'udp') {
    const http = config.protocol === 'tcp' && hc.type === 'http';
    return {
      ...common,
      HealthCheckSwitch: onOff(hc.enabled),
      // Sic: the TCP/UDP create actions spell this parameter with a lower-case h.
      healthCheckInterval: hc.intervalSeconds,
      HealthCheckConnectTimeout: hc.timeoutSeconds,
      ...(config.protocol === 'tcp' ? { HealthCheckType: hc.type } : {}),
      ...(http
        ? {
            HealthCheckURI: hc.uri,
            HealthCheckDomain: hc.domain,
            HealthCheckMethod: hc.method,
            HealthCheckHttpCode: hc.httpCodes?.join(','),
          }
        : {}),
      ConnectionDrain: onOff(config.connectionDrain?.enabled),
      ConnectionDrainTimeout: config.connectionDrain?.enabled
        ? config.connectionDrain.timeoutSeconds
        : undefined,
    };
  }
  return {
    ...common,
    HealthCheck: onOff(hc.enabled),
    HealthCheckURI: hc.enabled ? (hc.uri ?? '/') : undefined,
    HealthCheckDomain: hc.domain,
    HealthCheckMethod: hc.method,
    HealthCheckHttpCode: hc.httpCodes?.join(','),
    HealthCheckInterval: hc.intervalSeconds,
    HealthCheckTimeout: hc.timeoutSeconds,
    // Required by the HTTP(S) create actions; drainctl never needs sticky sessions.
    StickySession: 'off',
    XForwardedFor: onOff(config.xForwardedFor ?? true),
    ...(config.protocol === 'https' ? { ServerCertificateId: config.serverCertificateId } : {}),
  };
}

/** The port's view of a listener the cloud described; unreported fields take SLB's defaults. */
export function listenerFromAttribute(
  protocol: ListenerConfig['protocol'],
  attr: SlbListenerAttribute,
): Listener {
  const hc = attr.healthCheck;
  const layer7 = protocol === 'http' || protocol === 'https';
  const listener: Listener = {
    protocol,
    port: attr.port,
    backendPort: attr.backendPort ?? attr.port,
    scheduler: schedulerOf(attr.scheduler),
    status: statusOf(attr.status),
    healthCheck: {
      enabled: hc.enabled ?? true,
      type: layer7 ? 'http' : hc.type === 'http' ? 'http' : 'tcp',
      intervalSeconds: hc.intervalSeconds ?? DEFAULTS.intervalSeconds,
      timeoutSeconds: hc.timeoutSeconds ?? DEFAULTS.timeoutSeconds,
      healthyThreshold: hc.healthyThreshold ?? DEFAULTS.healthyThreshold,
      unhealthyThreshold: hc.unhealthyThreshold ?? DEFAULTS.unhealthyThreshold,
      ...(hc.uri ? { uri: hc.uri } : {}),
      ...(hc.domain ? { domain: hc.domain } : {}),
      ...(hc.method === 'head' || hc.method === 'get' ? { method: hc.method } : {}),
      ...(hc.httpCodes ? { httpCodes: splitCodes(hc.httpCodes) } : {}),
      ...(hc.connectPort !== undefined ? { connectPort: hc.connectPort } : {}),
    },
  };
  if (attr.bandwidth !== undefined) listener.bandwidth = attr.bandwidth;
  if (!layer7 && attr.connectionDrain !== undefined) {
    listener.connectionDrain = {
      enabled: attr.connectionDrain,
      ...(attr.connectionDrainTimeout !== undefined
        ? { timeoutSeconds: attr.connectionDrainTimeout }
        : {}),
    };
  }
  if (layer7 && attr.xForwardedFor !== undefined) listener.xForwardedFor = attr.xForwardedFor;
  if (attr.serverCertificateId) listener.serverCertificateId = attr.serverCertificateId;
  return listener;
}

/**
 * Where a live listener differs from what a workflow wants, one readable line each
 * (`backendPort: want 8080, live 80`). Fields the cloud did not report are not compared.
 */
export function listenerDifferences(want: ListenerConfig, live: SlbListenerAttribute): string[] {
  const out: string[] = [];
  const hc = live.healthCheck;
  const compare = (field: string, wanted: unknown, actual: unknown) => {
    if (wanted === undefined || actual === undefined) return;
    if (String(wanted) !== String(actual)) {
      out.push(`${field}: want ${String(wanted)}, live ${String(actual)}`);
    }
  };
  compare('backendPort', want.backendPort, live.backendPort);
  compare('scheduler', want.scheduler, live.scheduler);
  compare('healthCheck.enabled', want.healthCheck.enabled, hc.enabled);
  if (want.healthCheck.enabled && hc.enabled !== false) {
    const wantHc = want.healthCheck;
    if (want.protocol === 'tcp') compare('healthCheck.type', wantHc.type, hc.type);
    if (wantHc.type === 'http' || want.protocol === 'http' || want.protocol === 'https') {
      compare('healthCheck.uri', wantHc.uri, hc.uri);
      compare('healthCheck.domain', wantHc.domain || undefined, hc.domain || undefined);
      compare('healthCheck.method', wantHc.method, hc.method);
      compare(
        'healthCheck.httpCodes',
        wantHc.httpCodes && [...wantHc.httpCodes].sort().join(','),
        hc.httpCodes && splitCodes(hc.httpCodes).sort().join(','),
      );
    }
    compare('healthCheck.connectPort', wantHc.connectPort, hc.connectPort);
    compare('healthCheck.intervalSeconds', wantHc.intervalSeconds, hc.intervalSeconds);
    compare('healthCheck.timeoutSeconds', wantHc.timeoutSeconds, hc.timeoutSeconds);
    compare('healthCheck.healthyThreshold', wantHc.healthyThreshold, hc.healthyThreshold);
    compare('healthCheck.unhealthyThreshold', wantHc.unhealthyThreshold, hc.unhealthyThreshold);
  }
  if (want.bandwidth !== undefined) compare('bandwidth', want.bandwidth, live.bandwidth);
  if (want.connectionDrain !== undefined) {
    compare('connectionDrain.enabled', want.connectionDrain.enabled, live.connectionDrain);
    if (want.connectionDrain.enabled) {
      compare(
        'connectionDrain.timeoutSeconds',
        want.connectionDrain.timeoutSeconds,
        live.connectionDrainTimeout,
      );
    }
  }
  if (want.xForwardedFor !== undefined) {
    compare('xForwardedFor', want.xForwardedFor, live.xForwardedFor);
  }
  if (want.serverCertificateId !== undefined) {
    compare('serverCertificateId', want.serverCertificateId, live.serverCertificateId);
  }
  return out;
}

function splitCodes(codes: string): string[] {
  return codes
    .split(',')
    .map((code) => code.trim())
    .filter((code) => code !== '');
}

function schedulerOf(value: string | undefined): Listener['scheduler'] {
  return value === 'rr' || value === 'wlc' || value === 'sch' || value === 'tch' ? value : 'wrr';
}

function statusOf(value: string | undefined): ListenerStatus {
  switch (value) {
    case 'running':
    case 'stopped':
    case 'starting':
    case 'stopping':
    case 'configuring':
      return value;
    default:
      return 'stopped';
  }
}
