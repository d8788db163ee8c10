import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCombined } from '#support/access-log-lines.js';
import {
  type Fixture,
  instanceSpec,
  linesAfter,
  logLines,
  oldKernel,
  request,
  startWorld,
} from '#support/emulated-world.js';

/** Sends raw bytes on a new connection; resolves with everything received until the server closes. */
function rawExchange(host: string, port: number, bytes: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port }, () => socket.write(bytes));
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got: ${received}`));
    });
  });
}

describe('instance app', () => {
  let fx: Fixture;
  let ip: string;
  let log: string;

  beforeAll(async () => {
    fx = await startWorld({ keepaliveRequests: 3, keepaliveTimeoutSeconds: 0.3 });
    await fx.world.addInstance(instanceSpec(fx.block, 1));
    const view = fx.world.instance('i-emu-web-1');
    ip = view?.privateIp ?? '';
    log = view?.accessLog ?? '';
  });
  afterAll(() => fx.close());

  it('serves its hostname and running kernel on its own loopback address', async () => {
    const reply = await request(`http://${ip}:8080/hello?x=1`);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({
      hostname: 'web-1',
      instanceId: 'i-emu-web-1',
      kernel: oldKernel,
    });
    expect(reply.headers['x-served-by']).toBe('web-1');
    expect(fx.world.instance('i-emu-web-1')).toMatchObject({
      app: `${ip}:8080`,
      status: 'Running',
      kernel: oldKernel,
    });
  });

  it('answers /healthz', async () => {
    const reply = await request(`http://${ip}:8080/healthz`);
    expect(reply).toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('closes a keep-alive connection after keepalive_requests requests', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const ports: number[] = [];
      for (let i = 0; i < 7; i++)
        ports.push((await request(`http://${ip}:8080/n${i}`, { agent })).socket.localPort);
      // 3 requests per connection: connections 1,1,1,2,2,2,3.
      expect(new Set(ports).size).toBe(3);
      expect(ports[0]).toBe(ports[2]);
      expect(ports[3]).not.toBe(ports[2]);
    } finally {
      agent.destroy();
    }
  });

  it('closes the connection itself at the limit, even if the client would go on (as nginx does)', async () => {
    const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
    const received = await rawExchange(ip, 8080, get('/a') + get('/b') + get('/c') + get('/d'));
    const statuses = received.match(/^HTTP\/1\.1 \d{3}/gm) ?? [];
    expect(statuses).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 200']);
    expect(received).toMatch(/Connection: close/i);
  });

  it('closes an idle keep-alive connection after keepalive_timeout', async () => {
    const started = Date.now();
    const received = await rawExchange(ip, 8080, 'GET /idle HTTP/1.1\r\nHost: x\r\n\r\n');
    const elapsed = Date.now() - started;
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
  });

  it('writes one nginx combined line per request, with the real peer address', async () => {
    const before = logLines(log).length;
    await request(`http://${ip}:8080/logged?q=1`, {
      headers: { 'user-agent': 'drainctl-test/1.0', referer: 'http://example.com/"x"' },
      localAddress: '127.0.0.1',
    });
    const lines = await linesAfter(log, before);
    expect(lines).toHaveLength(1);
    const entry = parseCombined(lines[0] as string);
    expect(entry).toMatchObject({
      remoteAddr: '127.0.0.1',
      remoteUser: '-',
      method: 'GET',
      path: '/logged?q=1',
      protocol: 'HTTP/1.1',
      status: 200,
      userAgent: 'drainctl-test/1.0',
      referer: 'http://example.com/\\x22x\\x22',
    });
    expect(entry.bytes).toBeGreaterThan(0);
    for (const line of logLines(log)) expect(() => parseCombined(line)).not.toThrow();
  });

  it('logs the source address a PROXY v1 header declares, including for pipelined requests', async () => {
    const before = logLines(log).length;
    const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
    const received = await rawExchange(
      ip,
      8080,
      `PROXY TCP4 203.0.113.9 ${ip} 40000 8080\r\n${get('/p1')}${get('/p2')}HEAD /p3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(received.match(/^HTTP\/1\.1 200/gm)).toHaveLength(3);
    const entries = (await linesAfter(log, before, 3)).map(parseCombined);
    expect(
      entries.map((entry) => [entry.remoteAddr, entry.method, entry.path, entry.bytes > 0]),
    ).toEqual([
      ['203.0.113.9', 'GET', '/p1', true],
      ['203.0.113.9', 'GET', '/p2', true],
      ['203.0.113.9', 'HEAD', '/p3', false],
    ]);
  });

  it('holds a request open with ?delay_ms and logs 499 when the client gives up', async () => {
    const before = logLines(log).length;
    await new Promise<void>((resolve) => {
      const req = http.get(`http://${ip}:8080/slow?delay_ms=2000`, { agent: false });
      req.on('error', () => resolve());
      setTimeout(() => req.destroy(), 100);
    });
    const [line] = await linesAfter(log, before);
    expect(parseCombined(line ?? '')).toMatchObject({
      status: 499,
      path: '/slow?delay_ms=2000',
      bytes: 0,
    });
  });
});
