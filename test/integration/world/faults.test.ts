import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BackendTarget, ListenerHealthCheckConfig } from '#mocks/world/index.js';
import {
  type Fixture,
  instanceSpec,
  listenerSpec,
  request,
  startWorld,
} from '#support/emulated-world.js';

describe('world faults', () => {
  let fx: Fixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  /** One instance behind an HTTP-checked TCP listener, checks every 50 ms. */
  async function setUp(check: Partial<ListenerHealthCheckConfig> = {}) {
    fx = await startWorld();
    const world = fx.world;
    await world.addInstance(instanceSpec(fx.block, 1));
    const app = `http://${world.instance('i-emu-web-1')?.app}`;
    const backends: BackendTarget[] = [
      { serverId: 'i-emu-web-1', ip: `${fx.block}.11`, port: 8080, weight: 100 },
    ];
    const spec = listenerSpec(fx.block);
    await world.startListener(
      {
        ...spec,
        healthCheck: {
          ...spec.healthCheck,
          type: 'http',
          intervalSeconds: 0.05,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
          ...check,
        },
      },
      () => backends,
    );
    const health = () => world.backendHealth('lb-emu-1', 8080, 'i-emu-web-1');
    const rebootAndWaitForApp = async () => {
      world.reboot('i-emu-web-1');
      await expect
        .poll(() => world.instance('i-emu-web-1')?.status, { timeout: 5000, interval: 20 })
        .toBe('Running');
      return vi.waitFor(() => request(`${app}/`), { timeout: 5000, interval: 20 });
    };
    return { world, app, health, rebootAndWaitForApp };
  }

  it('boot-failure: the instance reaches Running but its app never comes back', async () => {
    const { world, app, health } = await setUp();
    world.injectFault({ kind: 'boot-failure', instanceId: 'i-emu-web-1' });
    expect((await request(`${app}/`)).status).toBe(200); // takes effect at the next boot
    world.reboot('i-emu-web-1');
    await expect
      .poll(() => world.instance('i-emu-web-1')?.status, { timeout: 5000, interval: 20 })
      .toBe('Running');
    // A real wait, well past appStartSeconds: an app that never comes back shows only by waiting.
    await delay(500);
    await expect(request(`${app}/`)).rejects.toThrow(/ECONNREFUSED/);
    expect(health()).toBe('abnormal');
    expect(await world.runCommand('i-emu-web-1', 'uname -r', 5)).toMatchObject({
      status: 'Error',
      errorCode: 'ClientNotRunning',
    });
    // Clearing the fault does not mend a machine that is down; a further reboot does.
    world.clearFaults();
    await expect(request(`${app}/`)).rejects.toThrow(/ECONNREFUSED/);
    world.reboot('i-emu-web-1');
    await vi.waitFor(() => request(`${app}/`), { timeout: 5000, interval: 20 });
    await expect.poll(health, { timeout: 3000, interval: 20 }).toBe('normal');
  });

  it('unhealthy-after-reboot: /healthz answers 503 for N seconds after the boot', async () => {
    const { world, app, health, rebootAndWaitForApp } = await setUp();
    world.injectFault({ kind: 'unhealthy-after-reboot', instanceId: 'i-emu-web-1', seconds: 0.8 });
    expect((await request(`${app}/healthz`)).status).toBe(200);
    await rebootAndWaitForApp();
    const back = Date.now();
    expect((await request(`${app}/healthz`)).status).toBe(503);
    expect((await request(`${app}/`)).status).toBe(200); // the service itself answers
    await expect.poll(health, { timeout: 1000, interval: 10 }).toBe('abnormal');
    await expect
      .poll(async () => (await request(`${app}/healthz`)).status, { timeout: 3000, interval: 20 })
      .toBe(200);
    expect(Date.now() - back).toBeGreaterThanOrEqual(600);
    await expect.poll(health, { timeout: 3000, interval: 10 }).toBe('normal');
  });

  it('app-5xx-after-reboot: that share of real requests fails, health checks do not', async () => {
    const { world, app, health, rebootAndWaitForApp } = await setUp({ uri: '/' });
    world.injectFault({ kind: 'app-5xx-after-reboot', instanceId: 'i-emu-web-1', rate: 0.5 });
    expect((await request(`${app}/`)).status).toBe(200);
    await rebootAndWaitForApp();
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push((await request(`${app}/page`)).status);
    const failed = statuses.filter((status) => status === 500 || status === 502).length;
    expect(failed).toBeGreaterThan(60);
    expect(failed).toBeLessThan(140);
    expect(statuses.filter((status) => status !== 200 && status !== 500 && status !== 502)).toEqual(
      [],
    );
    expect((await request(`${app}/healthz`)).status).toBe(200);
    // Health checks on "/" come from SLB health-check addresses and are spared: a real wait of
    // several check intervals, since what is shown is that the verdict does not change.
    await delay(300);
    expect(health()).toBe('normal');
    world.clearFaults();
    for (let i = 0; i < 20; i++) expect((await request(`${app}/page`)).status).toBe(200);
  });

  it('health-flapping: the verdict alternates for a while, then settles', async () => {
    const { world, health } = await setUp({
      type: 'tcp',
      healthyThreshold: 1,
      unhealthyThreshold: 1,
    });
    world.injectFault({
      kind: 'health-flapping',
      instanceId: 'i-emu-web-1',
      periodSeconds: 0.3,
      seconds: 1.8,
    });
    const flappingEnds = Date.now() + 1800;
    const seen: string[] = [];
    await vi.waitFor(
      () => {
        const state = health();
        if (seen[seen.length - 1] !== state) seen.push(state);
        expect(seen.filter((s) => s === 'abnormal').length).toBeGreaterThanOrEqual(2);
        expect(seen.filter((s) => s === 'normal').length).toBeGreaterThanOrEqual(2);
      },
      { timeout: 1500, interval: 20 },
    );
    // A real wait past the flapping window: that the verdict settles shows only after it.
    await delay(flappingEnds + 200 - Date.now());
    expect(health()).toBe('normal');
  });

  it('refuses a fault for an unknown instance', async () => {
    const { world } = await setUp();
    expect(() => world.injectFault({ kind: 'boot-failure', instanceId: 'i-nope' })).toThrow(
      expect.objectContaining({ code: 'InvalidInstanceId.NotFound' }),
    );
  });
});
