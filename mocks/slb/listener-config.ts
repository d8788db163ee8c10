/**
 * Parameters of CreateLoadBalancerTCPListener / CreateLoadBalancerHTTPListener → a Listener, with
 * the real ranges and defaults (docs/aliyun.md, "SLB listeners: ranges and defaults"). Note the
 * TCP listener's health-check interval is `healthCheckInterval` with a lower-case h; the
 * capitalised spelling is accepted too.
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

function common(params: Params): Common {
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
    scheduler: params.oneOf('Scheduler', ['wrr', 'rr', 'wlc', 'sch', 'tch', 'qch']) ?? 'wrr',
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

export function tcpListenerFromParams(params: Params): Listener {
  const base = common(params);
  const type = params.oneOf('HealthCheckType', ['tcp', 'http']) ?? 'tcp';
  const interval =
    params.int('healthCheckInterval', { min: 1, max: 50 }) ??
    params.int('HealthCheckInterval', { min: 1, max: 50 }) ??
    2;
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
      uri: params.string('HealthCheckURI') || '/',
      domain: params.string('HealthCheckDomain') || undefined,
      method: params.oneOf('HealthCheckMethod', ['head', 'get']) ?? 'head',
      httpCodes: httpCodes(params, 'http_2xx'),
      connectPort: params.int('HealthCheckConnectPort', PORT),
      intervalSeconds: interval,
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

export function httpListenerFromParams(params: Params): Listener {
  const base = common(params);
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
    protocol: 'http',
    status: 'stopped',
    healthCheck: {
      enabled: healthCheck === 'on',
      type: 'http',
      uri: params.string('HealthCheckURI') || '/',
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
