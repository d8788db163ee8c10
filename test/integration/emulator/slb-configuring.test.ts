import { describe, expect, it } from 'vitest';
import { useEmulator } from '#support/emulator-sdk.js';
import { FAST } from '#support/emulator-timings.js';
import { expectApiError } from '#support/expect-api-error.js';

const SETTLE_MS = 400;

describe('SLB asynchrony knob (configuringDelayMs)', () => {
  const env = useEmulator({ timings: FAST, configuringDelayMs: SETTLE_MS });

  it('a started listener reports starting, refuses changes with ServiceIsConfiguring, then runs', async () => {
    const { callSlb } = env();
    const lb = String(
      (await callSlb('CreateLoadBalancer', { LoadBalancerName: 'async' })).LoadBalancerId,
    );
    await callSlb('CreateLoadBalancerTCPListener', {
      LoadBalancerId: lb,
      ListenerPort: 8080,
      BackendServerPort: 8080,
      Bandwidth: -1,
    });
    await callSlb('AddBackendServers', {
      LoadBalancerId: lb,
      BackendServers: JSON.stringify([{ ServerId: 'i-emu-web-1' }]),
    });
    await expectApiError(
      callSlb('StartLoadBalancerListener', { LoadBalancerId: lb, ListenerPort: 8080 }),
      'ServiceIsConfiguring',
      400,
    );
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS + 50));
    const started = Date.now();
    await callSlb('StartLoadBalancerListener', { LoadBalancerId: lb, ListenerPort: 8080 });
    const attribute = () =>
      callSlb('DescribeLoadBalancerTCPListenerAttribute', {
        LoadBalancerId: lb,
        ListenerPort: 8080,
      });
    expect((await attribute()).Status).toBe('starting');
    await expectApiError(
      callSlb('SetBackendServers', {
        LoadBalancerId: lb,
        BackendServers: JSON.stringify([{ ServerId: 'i-emu-web-1', Weight: '0' }]),
      }),
      'ServiceIsConfiguring',
      400,
    );
    while ((await attribute()).Status === 'starting')
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(Date.now() - started).toBeGreaterThanOrEqual(SETTLE_MS - 20);
    expect((await attribute()).Status).toBe('running');
    await callSlb('SetBackendServers', {
      LoadBalancerId: lb,
      BackendServers: JSON.stringify([{ ServerId: 'i-emu-web-1', Weight: '0' }]),
    });
  });
});
