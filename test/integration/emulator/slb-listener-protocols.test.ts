/**
 * The emulated SLB answers the four listener protocols as their request models define them:
 * per-protocol schedulers, no "/" alone as a health check path, HTTPS only with a server
 * certificate, parameters an action does not define ignored (TCP's HealthCheckMethod, UDP's
 * ConnectionDrain).
 */
import { describe, expect, it } from 'vitest';
import { useEmulator } from '#support/emulator-sdk.js';
import { FAST } from '#support/emulator-timings.js';
import { expectApiError } from '#support/expect-api-error.js';

describe('SLB listeners of every protocol', () => {
  const env = useEmulator({ timings: FAST });
  const base = { ListenerPort: 0, BackendServerPort: 8080, Bandwidth: -1 };

  async function balancer(name: string): Promise<string> {
    return String(
      (await env().callSlb('CreateLoadBalancer', { LoadBalancerName: name })).LoadBalancerId,
    );
  }

  it('refuses a scheduler the protocol does not list, and accepts the ones it does', async () => {
    const { callSlb } = env();
    const lb = await balancer('schedulers');
    const refused: [string, string][] = [
      ['HTTP', 'sch'],
      ['HTTPS', 'tch'],
      ['TCP', 'qch'],
      ['TCP', 'wlc'],
      ['UDP', 'wlc'],
    ];
    for (const [protocol, scheduler] of refused) {
      await expectApiError(
        callSlb(`CreateLoadBalancer${protocol}Listener`, {
          ...base,
          LoadBalancerId: lb,
          ListenerPort: 81,
          Scheduler: scheduler,
          HealthCheck: 'off',
          StickySession: 'off',
          ServerCertificateId: 'cert-1',
        }),
        'InvalidParameter',
        400,
      );
    }
    await callSlb('CreateLoadBalancerUDPListener', {
      ...base,
      LoadBalancerId: lb,
      ListenerPort: 53,
      Scheduler: 'qch',
    });
    await callSlb('CreateLoadBalancerTCPListener', {
      ...base,
      LoadBalancerId: lb,
      ListenerPort: 80,
      Scheduler: 'tch',
    });
  });

  it('refuses "/" alone as the health check path', async () => {
    const lb = await balancer('slash');
    await expectApiError(
      env().callSlb('CreateLoadBalancerHTTPListener', {
        ...base,
        LoadBalancerId: lb,
        ListenerPort: 80,
        HealthCheck: 'on',
        HealthCheckURI: '/',
        StickySession: 'off',
      }),
      'InvalidParameter',
      400,
    );
  });

  it('creates an HTTPS listener only with a server certificate, and reports it', async () => {
    const { callSlb } = env();
    const lb = await balancer('https');
    const https = {
      ...base,
      LoadBalancerId: lb,
      ListenerPort: 443,
      HealthCheck: 'off',
      StickySession: 'off',
    };
    await expectApiError(
      callSlb('CreateLoadBalancerHTTPSListener', https),
      'MissingParameter',
      400,
    );
    await callSlb('CreateLoadBalancerHTTPSListener', { ...https, ServerCertificateId: 'cert-1' });
    const attribute = await callSlb('DescribeLoadBalancerHTTPSListenerAttribute', {
      LoadBalancerId: lb,
      ListenerPort: 443,
    });
    expect(attribute).toMatchObject({ ServerCertificateId: 'cert-1', Status: 'stopped' });
  });

  it('ignores what an action does not define: TCP has no HealthCheckMethod, UDP no ConnectionDrain', async () => {
    const { callSlb } = env();
    const lb = await balancer('ignored');
    await callSlb('CreateLoadBalancerTCPListener', {
      ...base,
      LoadBalancerId: lb,
      ListenerPort: 80,
      HealthCheckType: 'http',
      HealthCheckURI: '/healthz',
      HealthCheckMethod: 'get',
    });
    await callSlb('CreateLoadBalancerUDPListener', {
      ...base,
      LoadBalancerId: lb,
      ListenerPort: 53,
      ConnectionDrain: 'on',
      ConnectionDrainTimeout: 30,
    });
    const tcp = await callSlb('DescribeLoadBalancerTCPListenerAttribute', {
      LoadBalancerId: lb,
      ListenerPort: 80,
    });
    expect(tcp.HealthCheckMethod).not.toBe('get');
    const udp = await callSlb('DescribeLoadBalancerUDPListenerAttribute', {
      LoadBalancerId: lb,
      ListenerPort: 53,
    });
    expect(udp).not.toHaveProperty('ConnectionDrain');
    await callSlb('StartLoadBalancerListener', { LoadBalancerId: lb, ListenerPort: 53 });
    const started = await callSlb('DescribeLoadBalancerUDPListenerAttribute', {
      LoadBalancerId: lb,
      ListenerPort: 53,
    });
    expect(started.Status).toBe('running');
  });
});
