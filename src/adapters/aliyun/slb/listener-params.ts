/**
 * Listener configuration ↔ SLB parameters. Pure. The four protocols name the same things
 * differently (TCP/UDP: HealthCheckSwitch, lower-case `healthCheckInterval`,
 * HealthCheckConnectTimeout; HTTP/HTTPS: HealthCheck, HealthCheckInterval, HealthCheckTimeout),
 * so the mapping lives here and nowhere else.
 */
import { LISTENER_DEFAULTS } from '../../../listener/index.js';
import type { Listener, ListenerConfig, ListenerStatus } from '../../../ports/index.js';
import type { SlbListenerAttribute } from './slb-wire.js';

/**
 * The recommended check, which a listener that reports none of these is read as having
 * (docs/aliyun.md, "SLB listeners: ranges and defaults").
 */
const DEFAULTS = {
  intervalSeconds: 2,
  timeoutSeconds: 5,
  healthyThreshold: 3,
  unhealthyThreshold: 3,
};

const onOff = (value: boolean | undefined) =>
  value === undefined ? undefined : value ? 'on' : 'off';

/**
 * Parameters of CreateLoadBalancer{TCP,UDP,HTTP,HTTPS}Listener for `config`. Optional settings
 * are sent spelt out with the defaults the listener comparison assumes (src/listener), never
 * left to the cloud's own defaults: the listener created is then the one ensureListener and the
 * planner expect to find.
 */
export function createListenerParams(
  config: ListenerConfig,
): Record<string, string | number | undefined> {
  const hc = config.healthCheck;
  const httpCodes = (hc.httpCodes ?? LISTENER_DEFAULTS.httpCodes).join(',');
  const method = hc.method ?? LISTENER_DEFAULTS.healthCheckMethod;
  // No default path: SLB refuses "/" alone, and the workflow requires one for an HTTP check.
  const common = {
    ListenerPort: config.port,
    BackendServerPort: config.backendPort,
    Bandwidth: config.bandwidth ?? LISTENER_DEFAULTS.bandwidth,
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
      // The TCP create action has no HealthCheckMethod (only its attribute answer reports one).
      ...(http
        ? { HealthCheckURI: hc.uri, HealthCheckDomain: hc.domain, HealthCheckHttpCode: httpCodes }
        : {}),
      // The UDP actions have no connection drain at all.
      ...(config.protocol === 'tcp'
        ? {
            ConnectionDrain: onOff(
              config.connectionDrain?.enabled ?? LISTENER_DEFAULTS.connectionDrain,
            ),
            ConnectionDrainTimeout: config.connectionDrain?.enabled
              ? config.connectionDrain.timeoutSeconds
              : undefined,
          }
        : {}),
    };
  }
  return {
    ...common,
    HealthCheck: onOff(hc.enabled),
    HealthCheckURI: hc.enabled ? hc.uri : undefined,
    HealthCheckDomain: hc.domain,
    HealthCheckMethod: method,
    HealthCheckHttpCode: httpCodes,
    HealthCheckInterval: hc.intervalSeconds,
    HealthCheckTimeout: hc.timeoutSeconds,
    // Required by the HTTP(S) create actions; drainctl never needs sticky sessions.
    StickySession: 'off',
    XForwardedFor: onOff(config.xForwardedFor ?? LISTENER_DEFAULTS.xForwardedFor),
    ...(config.protocol === 'https' ? { ServerCertificateId: config.serverCertificateId } : {}),
  };
}

/**
 * The port's view of a listener the cloud described; unreported fields take SLB's defaults. Both
 * the planner (through describeListener) and ensureListener compare this view with the workflow,
 * so they agree on what differs.
 */
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
      // Only layer-7 listeners let the method be chosen; what TCP reports is not drainctl's to set.
      ...(layer7 && (hc.method === 'head' || hc.method === 'get') ? { method: hc.method } : {}),
      ...(hc.httpCodes ? { httpCodes: splitCodes(hc.httpCodes) } : {}),
      ...(hc.connectPort !== undefined ? { connectPort: hc.connectPort } : {}),
    },
  };
  if (attr.bandwidth !== undefined) listener.bandwidth = attr.bandwidth;
  if (protocol === 'tcp' && attr.connectionDrain !== undefined) {
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

function splitCodes(codes: string): string[] {
  return codes
    .split(',')
    .map((code) => code.trim())
    .filter((code) => code !== '');
}

function schedulerOf(value: string | undefined): Listener['scheduler'] {
  return value === 'rr' || value === 'sch' || value === 'tch' || value === 'qch' ? value : 'wrr';
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
