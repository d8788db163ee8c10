/**
 * Response bodies of DescribeLoadBalancer{TCP,UDP,HTTP,HTTPS}ListenerAttribute, field names and
 * types as the SDK models (slb-20140515) declare them. The UDP model has no connection drain and
 * no HTTP check fields.
 */
import type { Listener, ListenerStatus, LoadBalancer } from './store.js';

function healthCheckFields(listener: Listener): Record<string, unknown> {
  const check = listener.healthCheck;
  return {
    HealthCheck: check.enabled ? 'on' : 'off',
    ...(check.connectPort !== undefined ? { HealthCheckConnectPort: check.connectPort } : {}),
    ...(check.domain !== undefined ? { HealthCheckDomain: check.domain } : {}),
    HealthCheckURI: check.uri,
    HealthCheckHttpCode: check.httpCodes.join(','),
    HealthCheckMethod: check.method,
    HealthCheckInterval: check.intervalSeconds,
    HealthyThreshold: check.healthyThreshold,
    UnhealthyThreshold: check.unhealthyThreshold,
  };
}

function target(listener: Listener): Record<string, unknown> {
  return listener.vServerGroupId !== undefined
    ? { VServerGroupId: listener.vServerGroupId }
    : { BackendServerPort: listener.backendServerPort };
}

export function tcpListenerView(
  loadBalancer: LoadBalancer,
  listener: Listener,
  status: ListenerStatus,
): Record<string, unknown> {
  return {
    LoadBalancerId: loadBalancer.id,
    ListenerPort: listener.port,
    ...target(listener),
    Bandwidth: listener.bandwidth,
    Status: status,
    Scheduler: listener.scheduler,
    Description: listener.description,
    PersistenceTimeout: listener.persistenceTimeout,
    EstablishedTimeout: listener.establishedTimeout,
    ...healthCheckFields(listener),
    HealthCheckType: listener.healthCheck.type,
    HealthCheckConnectTimeout: listener.healthCheck.timeoutSeconds,
    ConnectionDrain: listener.connectionDrain,
    ...(listener.connectionDrain === 'on'
      ? { ConnectionDrainTimeout: listener.connectionDrainTimeout }
      : {}),
    SynProxy: 'disable',
    AclStatus: 'off',
    ProxyProtocolV2Enabled: false,
    Tags: { Tag: [] },
  };
}

export function udpListenerView(
  loadBalancer: LoadBalancer,
  listener: Listener,
  status: ListenerStatus,
): Record<string, unknown> {
  const check = listener.healthCheck;
  return {
    LoadBalancerId: loadBalancer.id,
    ListenerPort: listener.port,
    ...target(listener),
    Bandwidth: listener.bandwidth,
    Status: status,
    Scheduler: listener.scheduler,
    Description: listener.description,
    HealthCheck: check.enabled ? 'on' : 'off',
    ...(check.connectPort !== undefined ? { HealthCheckConnectPort: check.connectPort } : {}),
    HealthCheckInterval: check.intervalSeconds,
    HealthCheckConnectTimeout: check.timeoutSeconds,
    HealthyThreshold: check.healthyThreshold,
    UnhealthyThreshold: check.unhealthyThreshold,
    AclStatus: 'off',
    ProxyProtocolV2Enabled: false,
    Tags: { Tag: [] },
  };
}

export function httpsListenerView(
  loadBalancer: LoadBalancer,
  listener: Listener,
  status: ListenerStatus,
): Record<string, unknown> {
  return {
    ...httpListenerView(loadBalancer, listener, status),
    ServerCertificateId: listener.serverCertificateId,
    TLSCipherPolicy: 'tls_cipher_policy_1_0',
    EnableHttp2: 'on',
  };
}

export function httpListenerView(
  loadBalancer: LoadBalancer,
  listener: Listener,
  status: ListenerStatus,
): Record<string, unknown> {
  return {
    LoadBalancerId: loadBalancer.id,
    ListenerPort: listener.port,
    ...target(listener),
    Bandwidth: listener.bandwidth,
    Status: status,
    Scheduler: listener.scheduler,
    Description: listener.description,
    ...healthCheckFields(listener),
    HealthCheckTimeout: listener.healthCheck.timeoutSeconds,
    IdleTimeout: listener.idleTimeout,
    RequestTimeout: listener.requestTimeout,
    XForwardedFor: listener.xForwardedFor,
    XForwardedFor_SLBIP: 'off',
    XForwardedFor_SLBID: 'off',
    XForwardedFor_proto: 'off',
    StickySession: listener.stickySession,
    ...(listener.stickySessionType !== undefined
      ? { StickySessionType: listener.stickySessionType }
      : {}),
    ...(listener.cookieTimeout !== undefined ? { CookieTimeout: listener.cookieTimeout } : {}),
    ...(listener.cookie !== undefined ? { Cookie: listener.cookie } : {}),
    Gzip: 'on',
    ListenerForward: 'off',
    SecurityStatus: 'on',
    AclStatus: 'off',
    Rules: { Rule: [] },
    Tags: { Tag: [] },
  };
}
