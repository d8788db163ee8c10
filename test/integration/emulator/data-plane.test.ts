import { beforeAll, describe, expect, it, vi } from 'vitest';
import { useEmulator } from '#support/emulator-sdk.js';
import { get, hits, oneConnection } from '#support/http-client.js';

type HealthEntry = { ServerId: string; ServerHealthStatus: string };
/** Every wait below: the data plane and its health checks answer within this. */
const POLL = { timeout: 10_000, interval: 25 };

describe('SLB data plane: weights, keep-alive and new connections', () => {
  const env = useEmulator({ timings: { healthCheckScale: 0.1 } });
  let lb = '';
  let url = '';
  const logOf = (id: string) =>
    env()
      .emu.state()
      .instances.find((i) => i.id === id)?.accessLog ?? '';
  const setWeights = (first: number, second: number) =>
    env().callSlb('SetBackendServers', {
      LoadBalancerId: lb,
      BackendServers: JSON.stringify([
        { ServerId: 'i-emu-web-1', Weight: String(first) },
        { ServerId: 'i-emu-web-2', Weight: String(second) },
      ]),
    });
  const health = async () =>
    (
      (await env().callSlb('DescribeHealthStatus', { LoadBalancerId: lb })).BackendServers as {
        BackendServer: HealthEntry[];
      }
    ).BackendServer;
  const bothHealthy = () =>
    expect
      .poll(async () => (await health()).map((e) => e.ServerHealthStatus), POLL)
      .toEqual(['normal', 'normal']);

  beforeAll(async () => {
    const { callSlb } = env();
    const created = await callSlb('CreateLoadBalancer', { LoadBalancerName: 'data-plane' });
    lb = String(created.LoadBalancerId);
    url = `http://${created.Address}:8080`;
    await callSlb('CreateLoadBalancerTCPListener', {
      LoadBalancerId: lb,
      ListenerPort: 8080,
      BackendServerPort: 8080,
      Bandwidth: -1,
      healthCheckInterval: 1,
      HealthCheckConnectTimeout: 1,
      HealthyThreshold: 2,
      UnhealthyThreshold: 2,
    });
    await callSlb('AddBackendServers', {
      LoadBalancerId: lb,
      BackendServers: JSON.stringify([
        { ServerId: 'i-emu-web-1', Weight: '100' },
        { ServerId: 'i-emu-web-2', Weight: '0' },
      ]),
    });
    await callSlb('StartLoadBalancerListener', { LoadBalancerId: lb, ListenerPort: 8080 });
    // In a hook, where expect.poll is not available.
    await vi.waitFor(async () => {
      const web1 = (await health()).find((e) => e.ServerId === 'i-emu-web-1');
      expect(web1?.ServerHealthStatus).toBe('normal');
    }, POLL);
  });

  it('weights 100/0: 200 requests through the data plane all reach the first', async () => {
    for (let i = 0; i < 200; i++) expect((await get(`${url}/all-first-${i}`)).status).toBe(200);
    await expect.poll(() => hits(logOf('i-emu-web-1'), '/all-first-'), POLL).toBe(200);
    expect(await hits(logOf('i-emu-web-2'), '/all-first-')).toBe(0);
  });

  it('weights 50/50: the split is within ±10 %', async () => {
    await setWeights(50, 50);
    await bothHealthy();
    for (let i = 0; i < 200; i++) await get(`${url}/half-${i}`);
    const [first, second] = await vi.waitFor(async () => {
      const split = [
        await hits(logOf('i-emu-web-1'), '/half-'),
        await hits(logOf('i-emu-web-2'), '/half-'),
      ] as const;
      expect(split[0] + split[1], '200 hits in total').toBe(200);
      return split;
    }, POLL);
    expect(first).toBeGreaterThanOrEqual(80);
    expect(second).toBeGreaterThanOrEqual(80);
  });

  it('first set to 0: new connections go to the second, an open keep-alive connection stays on the first until closed', async () => {
    await setWeights(100, 0);
    const agent = oneConnection();
    try {
      await get(`${url}/kept-before`, agent);
      await expect.poll(() => hits(logOf('i-emu-web-1'), '/kept-before'), POLL).toBe(1);
      await setWeights(0, 100);
      await bothHealthy();
      for (let i = 0; i < 20; i++) await get(`${url}/fresh-${i}`);
      for (let i = 0; i < 10; i++) await get(`${url}/kept-after-${i}`, agent);
      await expect.poll(() => hits(logOf('i-emu-web-2'), '/fresh-'), POLL).toBe(20);
      await expect.poll(() => hits(logOf('i-emu-web-1'), '/kept-after-'), POLL).toBe(10);
      expect(await hits(logOf('i-emu-web-1'), '/fresh-')).toBe(0);
      expect(await hits(logOf('i-emu-web-2'), '/kept-after-')).toBe(0);
    } finally {
      agent.destroy();
    }
    const reopened = oneConnection();
    try {
      await get(`${url}/reopened`, reopened);
      await expect.poll(() => hits(logOf('i-emu-web-2'), '/reopened'), POLL).toBe(1);
      expect(await hits(logOf('i-emu-web-1'), '/reopened')).toBe(0);
    } finally {
      reopened.destroy();
    }
  });

  it('the admin state shows the data plane, weights and health', async () => {
    const entry = env()
      .emu.state()
      .loadBalancers.find((candidate) => candidate.id === lb);
    expect(entry).toMatchObject({
      listeners: [
        { port: 8080, protocol: 'tcp', status: 'running', dataPlane: url.replace('http://', '') },
      ],
      backends: [
        { serverId: 'i-emu-web-1', weight: 0, health: 'normal' },
        { serverId: 'i-emu-web-2', weight: 100, health: 'normal' },
      ],
    });
  });
});
