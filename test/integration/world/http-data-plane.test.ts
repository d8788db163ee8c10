import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BackendTarget } from '#mocks/world/index.js';
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

describe('HTTP listener data plane', () => {
  let fx: Fixture;
  let backends: BackendTarget[];
  let url: string;

  beforeAll(async () => {
    fx = await startWorld();
    await fx.world.addInstance(instanceSpec(fx.block, 1));
    await fx.world.addInstance(instanceSpec(fx.block, 2));
    backends = [1, 2].map((n) => ({
      serverId: `i-emu-web-${n}`,
      ip: `${fx.block}.${10 + n}`,
      port: 8080,
      weight: 100,
    }));
    const spec = listenerSpec(fx.block, {
      protocol: 'http',
      port: 8081,
      healthCheck: { ...listenerSpec(fx.block).healthCheck, type: 'http' },
    });
    const { dataPlane } = await fx.world.startListener(spec, () => backends);
    url = `http://${dataPlane}`;
  });
  afterAll(() => fx.close());

  it('adds X-Forwarded-For with the client address, appending to one the client sent', async () => {
    const plain = await request(`${url}/xff`, { localAddress: `${fx.block}.200` });
    expect(plain.status).toBe(200);
    expect(JSON.parse(plain.body).forwardedFor).toBe(`${fx.block}.200`);
    const chained = await request(`${url}/xff`, {
      localAddress: `${fx.block}.200`,
      headers: { 'x-forwarded-for': '198.51.100.7' },
    });
    expect(JSON.parse(chained.body).forwardedFor).toBe(`198.51.100.7, ${fx.block}.200`);
  });

  it('reaches the backends from SLB addresses (100.64.0.0/10), not from the client', async () => {
    const log = fx.world.instance('i-emu-web-1')?.accessLog ?? '';
    const before = logLines(log).length;
    for (let i = 0; i < 6; i++) await request(`${url}/via-slb-${i}`);
    const lines = await vi.waitFor(
      () => {
        const forwarded = logLines(log)
          .slice(before)
          .map(parseCombined)
          .filter((entry) => entry.path.startsWith('/via-slb-'));
        expect(forwarded.length).toBeGreaterThanOrEqual(3);
        return forwarded;
      },
      { timeout: 5000, interval: 20 },
    );
    for (const entry of lines) {
      expect(inSlbBlock(entry.remoteAddr)).toBe(true);
      expect(entry.protocol).toBe('HTTP/1.1');
    }
  });

  it('routes every request afresh, even on one open client connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      backends = backends.map((backend, index) => ({ ...backend, weight: index === 0 ? 100 : 0 }));
      const first = await request(`${url}/a`, { agent });
      expect(first.headers['x-served-by']).toBe('web-1');
      backends = backends.map((backend, index) => ({ ...backend, weight: index === 0 ? 0 : 100 }));
      const second = await request(`${url}/b`, { agent });
      expect(second.socket.localPort).toBe(first.socket.localPort);
      expect(second.headers['x-served-by']).toBe('web-2');
    } finally {
      agent.destroy();
      backends = backends.map((backend) => ({ ...backend, weight: 100 }));
    }
  });

  it('answers 503 like the SLB when no backend can take the request', async () => {
    backends = backends.map((backend) => ({ ...backend, weight: 0 }));
    try {
      const reply = await request(`${url}/none`);
      expect(reply.status).toBe(503);
      expect(reply.body).toContain('503 Service Temporarily Unavailable');
    } finally {
      backends = backends.map((backend) => ({ ...backend, weight: 100 }));
    }
  });

  it('passes request bodies and methods through', async () => {
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${url}/submit`, { method: 'POST', agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end('payload');
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ method: 'POST', path: '/submit' });
  });
});
