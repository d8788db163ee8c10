import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BackendTarget, ListenerHealthCheckConfig } from '#mocks/world/index.js';
import { parseCombined } from '#support/access-log-lines.js';
import {
  type Fixture,
  inSlbBlock,
  instanceSpec,
  listenerSpec,
  logLines,
  request,
  startWorld,
} from '#support/emulated-world.js';

describe('listener health checks', () => {
  let fx: Fixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  async function setUp(
    check: Partial<ListenerHealthCheckConfig>,
    weights = [100, 100],
    bootSeconds = 0.3,
  ) {
    fx = await startWorld({ bootSeconds });
    const world = fx.world;
    const backends: BackendTarget[] = [];
    for (const [index, weight] of weights.entries()) {
      await world.addInstance(instanceSpec(fx.block, index + 1));
      backends.push({
        serverId: `i-emu-web-${index + 1}`,
        ip: `${fx.block}.${11 + index}`,
        port: 8080,
        weight,
      });
    }
    const spec = listenerSpec(fx.block);
    await world.startListener(
      { ...spec, healthCheck: { ...spec.healthCheck, ...check } },
      () => backends,
    );
    return {
      world,
      health: (n: number) => world.backendHealth('lb-emu-1', 8080, `i-emu-web-${n}`),
    };
  }

  it('marks a backend whose app stopped abnormal within interval × unhealthy threshold', async () => {
    const { world, health } = await setUp(
      { type: 'tcp', intervalSeconds: 0.2, unhealthyThreshold: 3 },
      [100, 100],
      3,
    );
    expect(health(1)).toBe('normal');
    const stopped = Date.now();
    world.reboot('i-emu-web-1'); // the app stops at once; the boot takes 3 s
    await expect.poll(() => health(1), { timeout: 3000, interval: 10 }).toBe('abnormal');
    const elapsed = Date.now() - stopped;
    // interval × threshold = 600 ms (the first failing check comes at the next tick).
    expect(elapsed).toBeLessThanOrEqual(600 + 400); // slack for a loaded machine
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(health(2)).toBe('normal');
  });

  it('takes healthy-threshold passes in a row to come back after the app returns', async () => {
    const { world, health } = await setUp({
      intervalSeconds: 0.1,
      healthyThreshold: 3,
      unhealthyThreshold: 2,
    });
    world.reboot('i-emu-web-1');
    await expect.poll(() => health(1), { timeout: 3000, interval: 10 }).toBe('abnormal');
    const app = world.instance('i-emu-web-1')?.app ?? '';
    const [host, port] = app.split(':');
    await expect
      .poll(() => canConnect(host ?? '', Number(port)), { timeout: 6000, interval: 10 })
      .toBe(true);
    const back = Date.now();
    await expect.poll(() => health(1), { timeout: 3000, interval: 10 }).toBe('normal');
    // Three passes at 100 ms intervals: at least two intervals after the first one.
    expect(Date.now() - back).toBeGreaterThanOrEqual(150);
  });

  it('checks layer 7 with HEAD, HTTP/1.0 and an empty Host, from 100.64.0.0/10 — weight-0 backends too', async () => {
    const { world, health } = await setUp(
      { type: 'http', uri: '/healthz', method: 'head', intervalSeconds: 0.1 },
      [100, 0],
    );
    for (const n of [1, 2]) {
      const log = world.instance(`i-emu-web-${n}`)?.accessLog ?? '';
      const lines = await vi.waitFor(
        () => {
          const all = logLines(log);
          expect(all.length, `check lines on web-${n}`).toBeGreaterThanOrEqual(3);
          return all.map(parseCombined);
        },
        { timeout: 5000, interval: 20 },
      );
      for (const entry of lines) {
        expect(inSlbBlock(entry.remoteAddr)).toBe(true);
        expect(entry).toMatchObject({
          method: 'HEAD',
          path: '/healthz',
          protocol: 'HTTP/1.0',
          status: 200,
          bytes: 0,
        });
        expect(entry.userAgent).toBe('-');
      }
      // More than one SLB node checks (their addresses alternate).
      expect(new Set(lines.map((entry) => entry.remoteAddr)).size).toBeGreaterThan(1);
      expect(health(n)).toBe('normal');
    }
  });

  it('uses GET and the configured codes when told to', async () => {
    const { world, health } = await setUp({
      type: 'http',
      uri: '/',
      method: 'get',
      httpCodes: ['http_4xx'],
    });
    expect(health(1)).toBe('abnormal');
    const log = world.instance('i-emu-web-1')?.accessLog ?? '';
    expect(parseCombined(logLines(log)[0] ?? '')).toMatchObject({
      method: 'GET',
      path: '/',
      status: 200,
    });
  });

  it('logs nothing for TCP handshake checks', async () => {
    const { world } = await setUp({ type: 'tcp', intervalSeconds: 0.05 });
    // A real wait of several check intervals: what is shown is that nothing gets logged.
    await delay(300);
    expect(logLines(world.instance('i-emu-web-1')?.accessLog ?? '')).toEqual([]);
  });

  it('reports unavailable when checks are off, and forwards to every weighted backend then', async () => {
    const { health } = await setUp({ enabled: false });
    expect(health(1)).toBe('unavailable');
    const served = new Set<string>();
    for (let i = 0; i < 4; i++)
      served.add(String((await request(`http://${fx?.block}.101:8080/`)).headers['x-served-by']));
    expect([...served].sort()).toEqual(['web-1', 'web-2']);
  });
});

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
