import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Ecs, useEmulator } from '#support/emulator-sdk.js';
import { FAST } from '#support/emulator-timings.js';
import { get } from '#support/http-client.js';

type HealthEntry = { ServerId: string; ServerHealthStatus: string };
/** Every wait below: reboots and health checks on FAST timings end within this. */
const POLL = { timeout: 10_000, interval: 25 };

/**
 * The world faults, each observed from outside as drainctl would see it: through the SDK
 * (DescribeHealthStatus) or through the load balancer's data plane.
 */
describe('world faults through the SDK and the data plane', () => {
  const env = useEmulator({ timings: FAST });
  let lb = '';
  let url = '';
  const health = async (serverId: string) =>
    (
      (await env().callSlb('DescribeHealthStatus', { LoadBalancerId: lb, ListenerPort: 8080 }))
        .BackendServers as {
        BackendServer: HealthEntry[];
      }
    ).BackendServer.find((entry) => entry.ServerId === serverId)?.ServerHealthStatus;
  const rebootAndWait = async (instanceId: string) => {
    const { ecs } = env();
    await ecs.rebootInstance(new Ecs.RebootInstanceRequest({ instanceId }));
    await expect
      .poll(async () => {
        const answer = await ecs.describeInstanceStatus(
          new Ecs.DescribeInstanceStatusRequest({
            regionId: 'cn-hangzhou',
            instanceId: [instanceId],
          }),
        );
        return answer.body?.instanceStatuses?.instanceStatus?.[0]?.status;
      }, POLL)
      .toBe('Running');
  };

  beforeAll(async () => {
    const { callSlb } = env();
    const created = await callSlb('CreateLoadBalancer', { LoadBalancerName: 'faults' });
    lb = String(created.LoadBalancerId);
    url = `http://${created.Address}:8080`;
    await callSlb('CreateLoadBalancerHTTPListener', {
      LoadBalancerId: lb,
      ListenerPort: 8080,
      BackendServerPort: 8080,
      Bandwidth: -1,
      HealthCheck: 'on',
      HealthCheckURI: '/healthz',
      HealthCheckInterval: 1,
      HealthyThreshold: 2,
      UnhealthyThreshold: 2,
      StickySession: 'off',
    });
    await callSlb('AddBackendServers', {
      LoadBalancerId: lb,
      BackendServers: JSON.stringify([
        { ServerId: 'i-emu-web-1', Weight: '100' },
        { ServerId: 'i-emu-web-2', Weight: '100' },
        { ServerId: 'i-emu-web-3', Weight: '100' },
      ]),
    });
    await callSlb('StartLoadBalancerListener', { LoadBalancerId: lb, ListenerPort: 8080 });
  });

  it('unhealthy-after-reboot: abnormal for the given seconds after the boot, then normal again', async () => {
    const { emu } = env();
    const check = () => health('i-emu-web-1');
    await expect.poll(check, POLL).toBe('normal');
    emu.injectFault({ kind: 'unhealthy-after-reboot', instanceId: 'i-emu-web-1', seconds: 1 });
    await rebootAndWait('i-emu-web-1');
    await expect.poll(check, POLL).toBe('abnormal');
    await expect.poll(check, { ...POLL, timeout: 8_000 }).toBe('normal');
  });

  it('app-5xx-after-reboot: real requests through the data plane fail with 500/502 at the given rate', async () => {
    const { emu, callSlb } = env();
    await callSlb('SetBackendServers', {
      LoadBalancerId: lb,
      BackendServers: JSON.stringify([
        { ServerId: 'i-emu-web-1', Weight: '0' },
        { ServerId: 'i-emu-web-3', Weight: '0' },
      ]),
    });
    emu.injectFault({ kind: 'app-5xx-after-reboot', instanceId: 'i-emu-web-2', rate: 1 });
    await rebootAndWait('i-emu-web-2');
    await expect.poll(() => health('i-emu-web-2'), POLL).toBe('normal');
    const statuses = await vi.waitFor(async () => {
      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, i) => get(`${url}/after-5xx-${i}`)),
      );
      const list = answers.map((response) => response.status);
      expect(
        list.every((status) => status >= 500),
        'web-2 answering 5xx',
      ).toBe(true);
      return list;
    }, POLL);
    expect(statuses.every((status) => [500, 502].includes(status))).toBe(true);
  });

  it('health-flapping: DescribeHealthStatus alternates between abnormal and normal', async () => {
    const { emu, callSlb } = env();
    await callSlb('SetBackendServers', {
      LoadBalancerId: lb,
      BackendServers: JSON.stringify([{ ServerId: 'i-emu-web-3', Weight: '100' }]),
    });
    const check = () => health('i-emu-web-3');
    await expect.poll(check, POLL).toBe('normal');
    emu.injectFault({
      kind: 'health-flapping',
      instanceId: 'i-emu-web-3',
      periodSeconds: 0.6,
      seconds: 5,
    });
    const seen: string[] = [];
    await vi.waitFor(
      async () => {
        const state = await check();
        if (state && seen.at(-1) !== state) seen.push(state);
        expect(seen.length, 'two flips').toBeGreaterThanOrEqual(3);
      },
      { timeout: 5_000, interval: 20 },
    );
    expect(seen.slice(0, 3)).toEqual(['normal', 'abnormal', 'normal']);
  });
});
