/**
 * Parameters of CreateLoadBalancer{TCP,UDP,HTTP,HTTPS}Listener → a Listener, with the real ranges,
 * defaults and per-protocol values (docs/aliyun.md, "SLB listeners: ranges and defaults"). Note
 * the TCP/UDP listeners' health-check interval is `healthCheckInterval` with a lower-case h; the
 * capitalised spelling is accepted too. A parameter the protocol's request model does not have
 * (HealthCheckMethod on TCP, ConnectionDrain on UDP) is ignored, as the real API ignores
 * parameters an action does not define.
 */
import { InvalidParameter, MissingParameter } from '../server/api-error.js';
import type { Params } from '../server/params.js';
import type { Listener } from './store.js';

const ON_OFF = ['on', 'off'] as const;
const PORT = { min: 1, max: 65535 };

interface Common {
  port: number;
  backendServerPort?: number;
  vServerGroupId?: string;
  bandwidth: number;
  scheduler: string;
  description: string;
}

/** Scheduler values each protocol's request model lists. */
const SCHEDULERS = {
  tcp: ['wrr', 'rr', 'sch', 'tch'],
  udp: ['wrr', 'rr', 'sch', 'tch', 'qch'],
  http: ['wrr', 'rr'],
  https: ['wrr', 'rr'],
} as const;

function common(params: Params, protocol: keyof typeof SCHEDULERS): Common {
  const port = params.requiredInt('ListenerPort', PORT);
  const vServerGroupId = params.string('VServerGroupId') || undefined;
  const backendServerPort = params.int('BackendServerPort', PORT);
  if (backendServerPort === undefined && vServerGroupId === undefined) {
    throw new MissingParameter('BackendServerPort');
  }
  const bandwidth = params.requiredInt('Bandwidth', { min: -1, max: 5120 });
  if (bandwidth === 0) throw new InvalidParameter('Bandwidth', 'Use -1 (unlimited) or 1–5120.');
  return {
    port,
    backendServerPort: vServerGroupId === undefined ? backendServerPort : undefined,
    vServerGroupId,
    bandwidth,
    scheduler: params.oneOf('Scheduler', SCHEDULERS[protocol]) ?? 'wrr',
    description: params.string('Description') ?? '',
  };
}

function httpCodes(params: Params, fallback: string): string[] {
  const raw = params.string('HealthCheckHttpCode') || fallback;
  const codes = raw.split(',');
  for (const code of codes) {
    if (!/^http_[2-5]xx$/.test(code)) {
      throw new InvalidParameter(
        'HealthCheckHttpCode',
        'Valid values: http_2xx, http_3xx, http_4xx, http_5xx.',
      );
    }
  }
  return codes;
}

/**
 * 1 to 80 characters of letters, digits and `-/.%?#&`, starting with a slash but not a slash
 * alone (the request models' documentation).
 */
function healthCheckUri(params: Params): string {
  const uri = params.string('HealthCheckURI');
  if (uri === undefined || uri === '') return '/';
  if (!/^\/[A-Za-z0-9\-/.%?#&]{1,79}$/.test(uri)) {
    throw new InvalidParameter(
      'HealthCheckURI',
      'It must be 1 to 80 characters, start with "/" and not be "/" alone.',
    );
  }
  return uri;
}

function layer4Interval(params: Params): number {
  return (
    params.int('healthCheckInterval', { min: 1, max: 50 }) ??
    params.int('HealthCheckInterval', { min: 1, max: 50 }) ??
    2
  );
}

export function tcpListenerFromParams(params: Params): Listener {
  const base = common(params, 'tcp');
  const type = params.oneOf('HealthCheckType', ['tcp', 'http']) ?? 'tcp';
  const connectionDrain = params.oneOf('ConnectionDrain', ON_OFF) ?? 'off';
  const connectionDrainTimeout = params.int('ConnectionDrainTimeout', { min: 10, max: 900 });
  if (connectionDrain === 'on' && connectionDrainTimeout === undefined) {
    throw new MissingParameter('ConnectionDrainTimeout');
  }
  return {
    ...base,
    protocol: 'tcp',
    status: 'stopped',
    healthCheck: {
      enabled: (params.oneOf('HealthCheckSwitch', ON_OFF) ?? 'on') === 'on',
      type,
      uri: healthCheckUri(params),
      domain: params.string('HealthCheckDomain') || undefined,
      // Not a parameter of the TCP create action: the check's method is the default.
      method: 'head',
      httpCodes: httpCodes(params, 'http_2xx'),
      connectPort: params.int('HealthCheckConnectPort', PORT),
      intervalSeconds: layer4Interval(params),
      timeoutSeconds: params.int('HealthCheckConnectTimeout', { min: 1, max: 300 }) ?? 5,
      healthyThreshold: params.int('HealthyThreshold', { min: 2, max: 10 }) ?? 3,
      unhealthyThreshold: params.int('UnhealthyThreshold', { min: 2, max: 10 }) ?? 3,
    },
    persistenceTimeout: params.int('PersistenceTimeout', { min: 0, max: 3600 }) ?? 0,
    establishedTimeout: params.int('EstablishedTimeout', { min: 10, max: 900 }) ?? 900,
    connectionDrain,
    connectionDrainTimeout: connectionDrain === 'on' ? connectionDrainTimeout : undefined,
    idleTimeout: 15,
    requestTimeout: 60,
    xForwardedFor: 'off',
    stickySession: 'off',
  };
}

export function udpListenerFromParams(params: Params): Listener {
  return {
    ...common(params, 'udp'),
    protocol: 'udp',
    status: 'stopped',
    healthCheck: {
      enabled: (params.oneOf('HealthCheckSwitch', ON_OFF) ?? 'on') === 'on',
      type: 'tcp',
      uri: '/',
      method: 'head',
      httpCodes: ['http_2xx'],
      connectPort: params.int('HealthCheckConnectPort', PORT),
      intervalSeconds: layer4Interval(params),
      timeoutSeconds: params.int('HealthCheckConnectTimeout', { min: 1, max: 300 }) ?? 5,
      healthyThreshold: params.int('HealthyThreshold', { min: 2, max: 10 }) ?? 3,
      unhealthyThreshold: params.int('UnhealthyThreshold', { min: 2, max: 10 }) ?? 3,
    },
    persistenceTimeout: 0,
    establishedTimeout: 900,
    connectionDrain: 'off',
    idleTimeout: 15,
    requestTimeout: 60,
    xForwardedFor: 'off',
    stickySession: 'off',
  };
}

export function httpListenerFromParams(params: Params): Listener {
  return layer7Listener(params, 'http');
}

/** HTTPS is HTTP plus the server certificate it terminates TLS with, which it cannot do without. */
export function httpsListenerFromParams(params: Params): Listener {
  const listener = layer7Listener(params, 'https');
  listener.serverCertificateId = params.required('ServerCertificateId');
  return listener;
}

function layer7Listener(params: Params, protocol: 'http' | 'https'): Listener {
  const base = common(params, protocol);
  const healthCheck = params.oneOf('HealthCheck', ON_OFF);
  if (healthCheck === undefined) throw new MissingParameter('HealthCheck');
  const stickySession = params.oneOf('StickySession', ON_OFF);
  if (stickySession === undefined) throw new MissingParameter('StickySession');
  const stickySessionType = params.oneOf('StickySessionType', ['insert', 'server']);
  if (stickySession === 'on' && stickySessionType === undefined) {
    throw new MissingParameter('StickySessionType');
  }
  return {
    ...base,
    protocol,
    status: 'stopped',
    healthCheck: {
      enabled: healthCheck === 'on',
      type: 'http',
      uri: healthCheckUri(params),
      domain: params.string('HealthCheckDomain') || undefined,
      method: params.oneOf('HealthCheckMethod', ['head', 'get']) ?? 'head',
      httpCodes: httpCodes(params, 'http_2xx'),
      connectPort: params.int('HealthCheckConnectPort', PORT),
      intervalSeconds: params.int('HealthCheckInterval', { min: 1, max: 50 }) ?? 2,
      timeoutSeconds: params.int('HealthCheckTimeout', { min: 1, max: 300 }) ?? 5,
      healthyThreshold: params.int('HealthyThreshold', { min: 2, max: 10 }) ?? 3,
      unhealthyThreshold: params.int('UnhealthyThreshold', { min: 2, max: 10 }) ?? 3,
    },
    persistenceTimeout: 0,
    establishedTimeout: 900,
    connectionDrain: 'off',
    idleTimeout: params.int('IdleTimeout', { min: 1, max: 60 }) ?? 15,
    requestTimeout: params.int('RequestTimeout', { min: 1, max: 180 }) ?? 60,
    xForwardedFor: params.oneOf('XForwardedFor', ON_OFF) ?? 'on',
    stickySession,
    stickySessionType,
    cookieTimeout: params.int('CookieTimeout', { min: 1, max: 86400 }),
    cookie: params.string('Cookie') || undefined,
  };
}
