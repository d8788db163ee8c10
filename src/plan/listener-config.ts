/**
 * Listener configurations: the workflow's listener resolved to the port's ListenerConfig. Whether
 * an existing listener is the same is decided by src/listener, which the SLB adapter applies too;
 * one that differs is a planning error, never changed silently (it may carry someone else's
 * traffic).
 */
import type { ListenerConfig } from '../ports/index.js';
import { type ListenerSpec, listenerCheckType } from '../workflow/index.js';

export function listenerConfig(listener: ListenerSpec): ListenerConfig {
  const check = listener.healthCheck;
  const type = listenerCheckType(listener);
  return {
    protocol: listener.protocol,
    port: listener.port,
    backendPort: listener.backendPort,
    scheduler: listener.scheduler,
    bandwidth: listener.bandwidth,
    healthCheck: {
      enabled: check.enabled,
      type,
      ...(type === 'http'
        ? {
            ...(check.uri === undefined ? {} : { uri: check.uri }),
            method: check.method,
            httpCodes: check.httpCodes,
          }
        : {}),
      ...(check.domain === undefined ? {} : { domain: check.domain }),
      ...(check.connectPort === undefined ? {} : { connectPort: check.connectPort }),
      intervalSeconds: check.intervalSeconds,
      timeoutSeconds: check.timeoutSeconds,
      healthyThreshold: check.healthyThreshold,
      unhealthyThreshold: check.unhealthyThreshold,
    },
    ...(listener.connectionDrain === undefined
      ? {}
      : { connectionDrain: listener.connectionDrain }),
    ...(listener.protocol === 'http' ? { xForwardedFor: listener.xForwardedFor ?? true } : {}),
  };
}

/** `tcp:8080 → :8080 (HTTP check HEAD /healthz every 2 s)` */
export function describeListener(config: ListenerConfig): string {
  const check = config.healthCheck;
  const how = !check.enabled
    ? 'no health check'
    : check.type === 'http'
      ? `HTTP check ${(check.method ?? 'head').toUpperCase()} ${check.uri ?? '(no path)'} every ${check.intervalSeconds} s`
      : `TCP check every ${check.intervalSeconds} s`;
  return `${config.protocol}:${config.port} → backend :${config.backendPort} (${how})`;
}
