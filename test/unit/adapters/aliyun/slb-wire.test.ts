import { describe, expect, it } from 'vitest';
import {
  backendServersResponse,
  describeHealthStatusResponse,
  describeLoadBalancerAttributeResponse,
  listenerAttributeResponse,
} from '#src/adapters/aliyun/slb/slb-wire.js';
import { parseResponse } from '#src/adapters/aliyun/transport/wire.js';
import { DrainctlError } from '#src/errors/index.js';

describe('SLB response parsing', () => {
  it('turns string weights into numbers (AddBackendServers/SetBackendServers answer strings)', () => {
    const parsed = backendServersResponse.parse({
      RequestId: 'R',
      LoadBalancerId: 'lb-1',
      BackendServers: {
        BackendServer: [
          { ServerId: 'i-1', Weight: '0', Type: 'ecs' },
          { ServerId: 'i-2', Weight: 100, Type: 'ecs' },
        ],
      },
    });
    expect(parsed.backendServers.map((s) => s.weight)).toEqual([0, 100]);
  });

  it('reads missing, null and empty lists as empty lists', () => {
    for (const BackendServers of [undefined, null, '', {}, { BackendServer: null }]) {
      const parsed = describeLoadBalancerAttributeResponse.parse({
        LoadBalancerId: 'lb-1',
        LoadBalancerStatus: 'active',
        BackendServers,
      });
      expect(parsed.backendServers).toEqual([]);
      expect(parsed.listeners).toEqual([]);
      expect(parsed.tags).toEqual({});
    }
  });

  it('reads the attribute of a balancer', () => {
    const parsed = describeLoadBalancerAttributeResponse.parse({
      RequestId: 'R',
      LoadBalancerId: 'lb-1',
      LoadBalancerName: 'web',
      LoadBalancerStatus: 'active',
      Address: '127.0.0.101',
      AddressType: 'intranet',
      Tags: { Tag: [{ TagKey: 'app', TagValue: 'web' }] },
      BackendServers: { BackendServer: [{ ServerId: 'i-1', Weight: 100, ServerIp: '10.0.0.1' }] },
      ListenerPortsAndProtocol: {
        ListenerPortAndProtocol: [{ ListenerPort: '80', ListenerProtocol: 'TCP' }],
      },
    });
    expect(parsed).toMatchObject({
      loadBalancerId: 'lb-1',
      name: 'web',
      status: 'active',
      tags: { app: 'web' },
      listeners: [{ port: 80, protocol: 'tcp' }],
      backendServers: [{ serverId: 'i-1', weight: 100, type: 'ecs', serverIp: '10.0.0.1' }],
    });
  });

  it('reads TCP and HTTP listener attributes into one shape', () => {
    const tcp = listenerAttributeResponse.parse({
      ListenerPort: 80,
      BackendServerPort: '8080',
      Status: 'stopped',
      HealthCheck: 'on',
      HealthCheckType: 'http',
      HealthCheckConnectTimeout: 5,
      HealthCheckInterval: 2,
      ConnectionDrain: 'on',
      ConnectionDrainTimeout: 30,
    });
    expect(tcp).toMatchObject({
      port: 80,
      backendPort: 8080,
      healthCheck: { enabled: true, type: 'http', timeoutSeconds: 5, intervalSeconds: 2 },
      connectionDrain: true,
      connectionDrainTimeout: 30,
    });
    const http = listenerAttributeResponse.parse({
      ListenerPort: 8080,
      HealthCheck: 'off',
      HealthCheckTimeout: 4,
      XForwardedFor: 'on',
    });
    expect(http.healthCheck).toMatchObject({ enabled: false, timeoutSeconds: 4 });
    expect(http.xForwardedFor).toBe(true);
  });

  it('reads health status per server', () => {
    const parsed = describeHealthStatusResponse.parse({
      BackendServers: {
        BackendServer: [
          {
            ServerId: 'i-1',
            Port: 8080,
            ListenerPort: 80,
            Protocol: 'TCP',
            ServerHealthStatus: 'normal',
          },
        ],
      },
    });
    expect(parsed.backendServers[0]).toMatchObject({
      serverId: 'i-1',
      listenerPort: 80,
      protocol: 'tcp',
    });
  });

  it('rejects an answer that does not fit, naming the action and the field', () => {
    let error: unknown;
    try {
      parseResponse('slb', 'DescribeLoadBalancerAttribute', describeLoadBalancerAttributeResponse, {
        LoadBalancerId: 'lb-1',
        BackendServers: { BackendServer: [{ ServerId: 'i-1', Weight: 'heavy' }] },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DrainctlError);
    expect((error as DrainctlError).code).toBe('CLOUD_RESPONSE_INVALID');
    expect((error as Error).message).toMatch(
      /DescribeLoadBalancerAttribute.*BackendServers\.BackendServer\.0\.Weight/,
    );
  });
});
