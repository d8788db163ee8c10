import { describe, expect, it, vi } from 'vitest';
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
    // Refused while the listener is being configured; accepted once that settles.
    let started = 0;
    await vi.waitFor(
      () => {
        started = Date.now();
        return callSlb('StartLoadBalancerListener', { LoadBalancerId: lb, ListenerPort: 8080 });
      },
      { timeout: SETTLE_MS * 5, interval: 25 },
    );
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
    await expect
      .poll(async () => (await attribute()).Status, { timeout: SETTLE_MS * 5, interval: 25 })
      .not.toBe('starting');
    expect(Date.now() - started).toBeGreaterThanOrEqual(SETTLE_MS - 20);
    expect((await attribute()).Status).toBe('running');
    await callSlb('SetBackendServers', {
      LoadBalancerId: lb,
      BackendServers: JSON.stringify([{ ServerId: 'i-emu-web-1', Weight: '0' }]),
    });
  });
});
