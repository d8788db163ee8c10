/**
 * The one definition of "the same listener": where a listener that exists differs from the one a
 * workflow wants. Both sides are first completed with the same defaults, so a field the workflow
 * left out compares as the planner fills it in, and a field the cloud did not report compares as
 * SLB's own default. Pure.
 */
import type { ListenerConfig } from '../ports/index.js';

/**
 * What the planner fills in for a field the workflow leaves out (the workflow's listener schema) and
 * what SLB uses for a listener created without it (docs/aliyun.md, "SLB listeners: ranges and
 * defaults"): they agree.
 */
export const LISTENER_DEFAULTS = {
  bandwidth: -1,
  healthCheckMethod: 'head',
  httpCodes: ['http_2xx', 'http_3xx'],
  connectionDrain: false,
  xForwardedFor: true,
} as const;

/** One field that differs, named by its path in the workflow (`healthCheck.healthyThreshold`). */
export interface ListenerDifference {
  field: string;
  live: string;
  wanted: string;
}

/** `scheduler: live rr, workflow wrr` */
export function formatListenerDifference(difference: ListenerDifference): string {
  return `${difference.field}: live ${difference.live}, workflow ${difference.wanted}`;
}

/**
 * Every field in which `live` is not the listener `wanted` describes; empty when they are the
 * same. Settings that do not apply (the HTTP check's URI under a TCP check, a check that is off)
 * are not compared.
 */
export function listenerDifferences(
  live: ListenerConfig,
  wanted: ListenerConfig,
): ListenerDifference[] {
  const differences: ListenerDifference[] = [];
  const compare = (field: string, has: unknown, wants: unknown) => {
    if (String(has) !== String(wants)) {
      differences.push({ field, live: String(has), wanted: String(wants) });
    }
  };
  compare('protocol', live.protocol, wanted.protocol);
  // Another protocol is another kind of listener: its other settings mean different things.
  if (differences.length > 0) return differences;
  const has = normalized(live);
  const wants = normalized(wanted);
  compare('backendPort', has.backendPort, wants.backendPort);
  compare('scheduler', has.scheduler, wants.scheduler);
  compare('bandwidth', has.bandwidth, wants.bandwidth);
  compare('healthCheck.enabled', has.check.enabled, wants.check.enabled);
  if (has.check.enabled && wants.check.enabled) {
    compare('healthCheck.type', has.check.type, wants.check.type);
    if (has.check.type === 'http' && wants.check.type === 'http') {
      compare('healthCheck.uri', has.check.uri, wants.check.uri);
      compare('healthCheck.domain', has.check.domain, wants.check.domain);
      // TCP's HTTP check has no method parameter: only layer-7 listeners can differ in it.
      if (wanted.protocol === 'http' || wanted.protocol === 'https') {
        compare('healthCheck.method', has.check.method, wants.check.method);
      }
      compare('healthCheck.httpCodes', has.check.httpCodes, wants.check.httpCodes);
    }
    compare('healthCheck.connectPort', has.check.connectPort, wants.check.connectPort);
    compare('healthCheck.intervalSeconds', has.check.intervalSeconds, wants.check.intervalSeconds);
    compare('healthCheck.timeoutSeconds', has.check.timeoutSeconds, wants.check.timeoutSeconds);
    compare(
      'healthCheck.healthyThreshold',
      has.check.healthyThreshold,
      wants.check.healthyThreshold,
    );
    compare(
      'healthCheck.unhealthyThreshold',
      has.check.unhealthyThreshold,
      wants.check.unhealthyThreshold,
    );
  }
  if (wanted.protocol === 'tcp') {
    compare('connectionDrain.enabled', has.drain.enabled, wants.drain.enabled);
    // A workflow cannot turn drain on without a timeout; the cloud may leave it unreported.
    if (has.drain.enabled && wants.drain.enabled && has.drain.timeoutSeconds !== undefined) {
      compare(
        'connectionDrain.timeoutSeconds',
        has.drain.timeoutSeconds,
        wants.drain.timeoutSeconds,
      );
    }
  } else if (wanted.protocol !== 'udp') {
    compare('xForwardedFor', has.xForwardedFor, wants.xForwardedFor);
    if (wanted.protocol === 'https') {
      compare('serverCertificateId', has.serverCertificateId, wants.serverCertificateId);
    }
  }
  return differences;
}

/** Both sides with every optional field filled in as the planner and SLB fill it. */
function normalized(config: ListenerConfig) {
  const check = config.healthCheck;
  const layer7 = config.protocol === 'http' || config.protocol === 'https';
  return {
    backendPort: config.backendPort,
    scheduler: config.scheduler,
    bandwidth: config.bandwidth ?? LISTENER_DEFAULTS.bandwidth,
    check: {
      enabled: check.enabled,
      // Layer-7 listeners always check over HTTP, whatever a type field says.
      type: layer7 ? 'http' : check.type,
      uri: check.uri || '(none)',
      domain: check.domain || '(none)',
      method: check.method ?? LISTENER_DEFAULTS.healthCheckMethod,
      httpCodes: [...(check.httpCodes ?? LISTENER_DEFAULTS.httpCodes)].sort().join(','),
      // Checking the backend port is one setting, whether or not the port is spelt out.
      connectPort:
        check.connectPort === undefined || check.connectPort === config.backendPort
          ? 'the backend port'
          : check.connectPort,
      intervalSeconds: check.intervalSeconds,
      timeoutSeconds: check.timeoutSeconds,
      healthyThreshold: check.healthyThreshold,
      unhealthyThreshold: check.unhealthyThreshold,
    },
    drain: {
      enabled: config.connectionDrain?.enabled ?? LISTENER_DEFAULTS.connectionDrain,
      timeoutSeconds: config.connectionDrain?.timeoutSeconds,
    },
    xForwardedFor: config.xForwardedFor ?? LISTENER_DEFAULTS.xForwardedFor,
    serverCertificateId: config.serverCertificateId ?? '(none)',
  };
}
