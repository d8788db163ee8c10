import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendTarget } from '#mocks/world/index.js';
import { parseCombined } from '#support/access-log-lines.js';
import {
  type Fixture,
  instanceSpec,
  linesAfter,
  listenerSpec,
  logLines,
  request,
  startWorld,
} from '#support/emulated-world.js';

describe('TCP listener data plane', () => {
  let fx: Fixture;
  let backends: BackendTarget[];
  let url: string;

  const setWeights = (first: number, second: number) => {
    backends = backends.map((backend, index) => ({
      ...backend,
      weight: index === 0 ? first : second,
    }));
  };
  const servedBy = async (count: number, agent?: http.Agent) => {
    const tally: Record<string, number> = {};
    for (let i = 0; i < count; i++) {
      const reply = await request(url, { agent });
      const host = String(reply.headers['x-served-by']);
      tally[host] = (tally[host] ?? 0) + 1;
    }
    return tally;
  };

  beforeAll(async () => {
    fx = await startWorld({ keepaliveTimeoutSeconds: 0.5 });
    await fx.world.addInstance(instanceSpec(fx.block, 1));
    await fx.world.addInstance(instanceSpec(fx.block, 2));
    backends = [1, 2].map((n) => ({
      serverId: `i-emu-web-${n}`,
      ip: `${fx.block}.${10 + n}`,
      port: 8080,
      weight: 100,
    }));
    const { dataPlane } = await fx.world.startListener(listenerSpec(fx.block), () => backends);
    url = `http://${dataPlane}/`;
    expect(dataPlane).toBe(`${fx.block}.101:8080`);
  });
  afterAll(() => fx.close());

  it('has a health verdict on every backend once started', () => {
    expect(fx.world.backendHealth('lb-emu-1', 8080, 'i-emu-web-1')).toBe('normal');
    expect(fx.world.backendHealth('lb-emu-1', 8080, 'i-emu-web-2')).toBe('normal');
    expect(fx.world.backendHealth('lb-emu-1', 8080, 'i-unknown')).toBe('unavailable');
    expect(fx.world.backendHealth('lb-other', 8080, 'i-emu-web-1')).toBe('unavailable');
  });

  it('sends all 200 new connections to the only weighted backend (100/0)', async () => {
    setWeights(100, 0);
    expect(await servedBy(200)).toEqual({ 'web-1': 200 });
  });

  it('splits 50/50 within ±10 %', async () => {
    setWeights(50, 50);
    const tally = await servedBy(200);
    expect(tally['web-1']).toBeGreaterThanOrEqual(90);
    expect(tally['web-1']).toBeLessThanOrEqual(110);
    expect((tally['web-1'] ?? 0) + (tally['web-2'] ?? 0)).toBe(200);
  });

  it('is transparent: the app logs the client address, as the SLB layer 4 shows it', async () => {
    setWeights(100, 0);
    const log = fx.world.instance('i-emu-web-1')?.accessLog ?? '';
    const before = logLines(log).length;
    await request(`${url}from-client`, { localAddress: `${fx.block}.200` });
    const [line] = await linesAfter(log, before);
    expect(parseCombined(line ?? '')).toMatchObject({
      remoteAddr: `${fx.block}.200`,
      path: '/from-client',
    });
  });

  it('keeps an open keep-alive connection on its backend after the weight goes to 0, until it closes', async () => {
    setWeights(100, 0);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await request(url, { agent });
      expect(first.headers['x-served-by']).toBe('web-1');
      setWeights(0, 100);
      // New connections go to web-2 at once …
      expect(await servedBy(20)).toEqual({ 'web-2': 20 });
      // … while the open connection is still served by web-1.
      const again = await request(url, { agent });
      expect(again.socket.localPort).toBe(first.socket.localPort);
      expect(again.headers['x-served-by']).toBe('web-1');
      // web-1 closes it after keepalive_timeout (0.5 s); the next request opens a new one.
      await expect
        .poll(() => Object.keys(agent.freeSockets).length, { timeout: 3000, interval: 20 })
        .toBe(0);
      const after = await request(url, { agent });
      expect(after.socket.localPort).not.toBe(first.socket.localPort);
      expect(after.headers['x-served-by']).toBe('web-2');
    } finally {
      agent.destroy();
    }
  });

  it('closes new connections when no backend has weight', async () => {
    setWeights(0, 0);
    await expect(request(url)).rejects.toThrow(/socket hang up|ECONNRESET/);
    setWeights(100, 100);
  });

  it('resets client connections when the backend machine goes down mid-connection', async () => {
    setWeights(100, 0);
    const socket = net.connect({ host: `${fx.block}.101`, port: 8080 });
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    socket.write('GET /before HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    const ended = new Promise<string>((resolve) => {
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      socket.on('close', () => resolve('close'));
    });
    fx.world.reboot('i-emu-web-1');
    expect(await ended).toBe('ECONNRESET');
    await expect
      .poll(() => fx.world.instance('i-emu-web-1')?.status, { timeout: 5000, interval: 20 })
      .toBe('Running');
  });
});
