import { describe, expect, it } from 'vitest';
import {
  createListenerParams,
  listenerFromAttribute,
} from '#src/adapters/aliyun/slb/listener-params.js';
import { toQuery } from '#src/adapters/aliyun/slb/slb-requests.js';
import { listenerAttributeResponse } from '#src/adapters/aliyun/slb/slb-wire.js';
import { formatListenerDifference, listenerDifferences } from '#src/listener/index.js';
import type { ListenerConfig } from '#src/ports/index.js';
import { modelViolations } from '#support/request-models.js';

const tcp: ListenerConfig = {
  protocol: 'tcp',
  port: 8080,
  backendPort: 8080,
  scheduler: 'wrr',
  healthCheck: {
    enabled: true,
    type: 'http',
    uri: '/healthz',
    httpCodes: ['http_2xx'],
    intervalSeconds: 2,
    timeoutSeconds: 5,
    healthyThreshold: 3,
    unhealthyThreshold: 3,
  },
  connectionDrain: { enabled: true, timeoutSeconds: 30 },
};

describe('listener parameters', () => {
  it('uses the TCP spelling (HealthCheckSwitch, lower-case healthCheckInterval)', () => {
    const params = createListenerParams(tcp);
    expect(params).toMatchObject({
      ListenerPort: 8080,
      BackendServerPort: 8080,
      Bandwidth: -1,
      HealthCheckSwitch: 'on',
      HealthCheckType: 'http',
      HealthCheckURI: '/healthz',
      HealthCheckHttpCode: 'http_2xx',
      healthCheckInterval: 2,
      HealthCheckConnectTimeout: 5,
      ConnectionDrain: 'on',
      ConnectionDrainTimeout: 30,
    });
    expect(params).not.toHaveProperty('HealthCheckInterval');
  });

  it('uses the HTTP spelling and sets the required StickySession', () => {
    const params = createListenerParams({ ...tcp, protocol: 'http', connectionDrain: undefined });
    expect(params).toMatchObject({
      HealthCheck: 'on',
      HealthCheckInterval: 2,
      HealthCheckTimeout: 5,
      StickySession: 'off',
      XForwardedFor: 'on',
    });
    expect(params).not.toHaveProperty('healthCheckInterval');
  });

  it('spells out the defaults the listener comparison assumes instead of leaving them to SLB', () => {
    const { httpCodes: _codes, ...check } = tcp.healthCheck;
    const sparse: ListenerConfig = { ...tcp, healthCheck: check, connectionDrain: undefined };
    expect(createListenerParams(sparse)).toMatchObject({
      HealthCheckHttpCode: 'http_2xx,http_3xx',
      HealthCheckURI: '/healthz',
      ConnectionDrain: 'off',
      Bandwidth: -1,
    });
    expect(createListenerParams({ ...sparse, protocol: 'http' })).toMatchObject({
      HealthCheckHttpCode: 'http_2xx,http_3xx',
      HealthCheckMethod: 'head',
      XForwardedFor: 'on',
    });
  });

  it('finds no difference between a config and the listener created from it', () => {
    const live = listenerAttributeResponse.parse({
      ListenerPort: 8080,
      BackendServerPort: 8080,
      Scheduler: 'wrr',
      Status: 'running',
      HealthCheck: 'on',
      HealthCheckType: 'http',
      HealthCheckURI: '/healthz',
      HealthCheckHttpCode: 'http_2xx',
      HealthCheckInterval: 2,
      HealthCheckConnectTimeout: 5,
      HealthyThreshold: 3,
      UnhealthyThreshold: 3,
      ConnectionDrain: 'on',
      ConnectionDrainTimeout: 30,
    });
    expect(listenerDifferences(listenerFromAttribute('tcp', live), tcp)).toEqual([]);
    expect(listenerFromAttribute('tcp', live)).toMatchObject({
      status: 'running',
      backendPort: 8080,
      healthCheck: { enabled: true, type: 'http', uri: '/healthz', httpCodes: ['http_2xx'] },
      connectionDrain: { enabled: true, timeoutSeconds: 30 },
    });
  });

  it('names each differing field of the listener the cloud reports', () => {
    const live = listenerAttributeResponse.parse({
      ListenerPort: 8080,
      BackendServerPort: 80,
      HealthCheck: 'on',
      HealthCheckType: 'tcp',
      HealthCheckInterval: 2,
    });
    expect(
      listenerDifferences(listenerFromAttribute('tcp', live), tcp).map(formatListenerDifference),
    ).toEqual([
      'backendPort: live 80, workflow 8080',
      'healthCheck.type: live tcp, workflow http',
      // Unreported, so SLB's default (off); the workflow turned it on.
      'connectionDrain.enabled: live false, workflow true',
    ]);
  });
});

describe('listener parameters against the official request models', () => {
  const udp: ListenerConfig = {
    ...tcp,
    protocol: 'udp',
    scheduler: 'qch',
    healthCheck: { ...tcp.healthCheck, type: 'tcp', uri: undefined, method: undefined },
  };
  const https: ListenerConfig = {
    ...tcp,
    protocol: 'https',
    connectionDrain: undefined,
    healthCheck: { ...tcp.healthCheck, method: 'get' },
    serverCertificateId: 'cert-1',
  };
  it.each([
    [
      'tcp',
      'CreateLoadBalancerTCPListener',
      { ...tcp, healthCheck: { ...tcp.healthCheck, method: 'get' } },
    ],
    ['udp', 'CreateLoadBalancerUDPListener', udp],
    [
      'http',
      'CreateLoadBalancerHTTPListener',
      { ...https, protocol: 'http', serverCertificateId: undefined },
    ],
    ['https', 'CreateLoadBalancerHTTPSListener', https],
  ] as const)('a %s listener sends only what %s defines', (_protocol, action, config) => {
    const query = toQuery({
      LoadBalancerId: 'lb-1',
      ...createListenerParams(config as ListenerConfig),
    });
    expect(modelViolations(action, query)).toEqual([]);
  });

  it('sends no default health check path (SLB refuses "/" alone)', () => {
    const { uri: _uri, ...check } = tcp.healthCheck;
    expect(createListenerParams({ ...tcp, healthCheck: check })).not.toHaveProperty(
      'HealthCheckURI',
      '/',
    );
  });
});
