/**
 * nginx's graceful reload on the simulated servers (`nginx -s reload`, `systemctl reload nginx`
 * through Cloud Assistant): idle keep-alive connections are closed at once, a request in
 * progress is answered — with `Connection: close` — and its connection closed after it, new
 * connections keep alive as before, and clients under load through a TCP listener see no failed
 * request while the reload moves them all onto new connections.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { LoadGenerator } from '#src/demo/load-generator.js';
import {
  type Fixture,
  instanceSpec,
  listenerSpec,
  request,
  startWorld,
} from '#support/emulated-world.js';

/** nginx's own keep-alive defaults (1.19.10 and later). */
const NGINX_DEFAULTS = { keepaliveRequests: 1000, keepaliveTimeoutSeconds: 75 };

/** A raw connection: what was received, and whether the server has closed it. */
function rawConnection(host: string, port: number) {
  const socket = net.connect({ host, port });
  const state = { received: '', closed: false };
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    state.received += chunk;
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    state.closed = true;
  });
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, state, connected };
}

describe('a graceful reload of nginx', () => {
  let fx: Fixture;
  let ip: string;
  const reload = async (script = 'nginx -s reload') => {
    const outcome = await fx.world.runCommand('i-emu-web-1', script, 10);
    expect(outcome).toMatchObject({ status: 'Success', exitCode: 0 });
  };

  beforeAll(async () => {
    fx = await startWorld(NGINX_DEFAULTS);
    await fx.world.addInstance(instanceSpec(fx.block, 1));
    ip = fx.world.instance('i-emu-web-1')?.privateIp ?? '';
  });
  afterAll(() => fx.close());

  it('closes idle keep-alive connections at once; new ones keep alive as before', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await request(`http://${ip}:8080/a`, { agent });
      expect((await request(`http://${ip}:8080/b`, { agent })).socket.localPort).toBe(
        first.socket.localPort,
      );
      const idle = agent.freeSockets[`${ip}:8080:`]?.[0];
      expect(idle).toBeDefined();
      await reload();
      await expect
        .poll(() => idle?.destroyed === true, {
          timeout: 2000,
          message: 'the idle connection to be closed',
        })
        .toBe(true);
      const after = await request(`http://${ip}:8080/c`, { agent });
      expect(after.status).toBe(200);
      expect(after.socket.localPort).not.toBe(first.socket.localPort);
      expect(after.headers.connection).toBe('keep-alive');
      expect((await request(`http://${ip}:8080/d`, { agent })).socket.localPort).toBe(
        after.socket.localPort,
      );
    } finally {
      agent.destroy();
    }
  });

  it('answers a request in progress, with Connection: close, then closes its connection', async () => {
    const busy = rawConnection(ip, 8080);
    await busy.connected;
    busy.socket.write('GET /slow?delay_ms=400 HTTP/1.1\r\nHost: x\r\n\r\n');
    await expect
      .poll(
        async () =>
          (await fx.world.runCommand('i-emu-web-1', 'ss -Htn', 10)).output.includes(
            String(busy.socket.localPort),
          ),
        { timeout: 5000, message: 'the request to reach the app' },
      )
      .toBe(true);
    await reload('systemctl reload nginx');
    expect(busy.state.closed).toBe(false);
    await expect
      .poll(() => busy.state.closed, { timeout: 3000, message: 'the answer and the close' })
      .toBe(true);
    expect(busy.state.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(busy.state.received).toMatch(/\r\nConnection: close\r\n/i);
  });

  it('gives a connection that had not sent its first request one answer, then closes it', async () => {
    const fresh = rawConnection(ip, 8080);
    await fresh.connected;
    await reload('sudo service nginx reload');
    fresh.socket.write(
      'GET /late HTTP/1.1\r\nHost: x\r\n\r\nGET /later HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    await expect
      .poll(() => fresh.state.closed, { timeout: 3000, message: 'the answer and the close' })
      .toBe(true);
    expect(fresh.state.received.match(/^HTTP\/1\.1 \d{3}/gm)).toEqual(['HTTP/1.1 200']);
    expect(fresh.state.received).toMatch(/\r\nConnection: close\r\n/i);
  });
});

describe('reloads under load through a TCP listener', () => {
  let fx: Fixture;

  beforeAll(async () => {
    fx = await startWorld(NGINX_DEFAULTS);
    await fx.world.addInstance(instanceSpec(fx.block, 1));
  });
  afterAll(() => fx.close());

  /** The client ports the app holds connections from (as `ss` on the machine lists them). */
  const peerPorts = async () => {
    const { output } = await fx.world.runCommand('i-emu-web-1', 'ss -Htn', 10);
    return new Set(
      output
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(/\s+/).at(-1)),
    );
  };

  it('fails no request, and every client ends up on a new connection', async () => {
    const backends = [{ serverId: 'i-emu-web-1', ip: `${fx.block}.11`, port: 8080, weight: 100 }];
    const { dataPlane } = await fx.world.startListener(listenerSpec(fx.block), () => backends);
    const [address, port] = dataPlane.split(':');
    const load = new LoadGenerator({
      hostname: 'www.example.com',
      port: Number(port),
      resolve: async () => ({ address: address ?? '', ttlSeconds: 3600 }),
      ratePerSecond: 200,
      clients: 8,
      slow: { every: 5, suffix: '?delay_ms=150' },
      clock: systemClock,
    });
    load.start();
    try {
      await expect
        .poll(async () => (await peerPorts()).size >= 8, {
          timeout: 5000,
          message: 'every client connected',
        })
        .toBe(true);
      const before = await peerPorts();
      for (let i = 0; i < 8; i += 1) {
        await fx.world.runCommand('i-emu-web-1', 'nginx -s reload', 10);
        await systemClock.sleep(250);
      }
      await expect
        .poll(async () => (await peerPorts()).size >= 8, {
          timeout: 5000,
          message: 'every client connected again',
        })
        .toBe(true);
      const after = await peerPorts();
      expect([...after].filter((p) => before.has(p))).toEqual([]);
    } finally {
      const stats = await load.stop();
      expect(stats.failures).toEqual([]);
      expect(stats.failed).toBe(0);
      expect(stats.ok).toBeGreaterThan(100);
    }
  });
});
