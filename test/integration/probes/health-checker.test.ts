import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendHealthStatus, LoadBalancer } from '#src/ports/index.js';
import { createHealthChecker } from '#src/probes/health/index.js';

let http: Server;
let port: number;
const seen: Array<{ host?: string; connection?: string }> = [];
const sockets = new Set<unknown>();

beforeAll(async () => {
  http = createServer((req, res) => {
    seen.push({ host: req.headers.host, connection: req.headers.connection });
    if (req.url === '/slow') return; // never answers
    if (req.url === '/down') {
      res.writeHead(503).end('maintenance');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/plain' })
      .end('status: ok, kernel 3.10.0-1160.119.1');
  });
  http.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
});
afterAll(async () => {
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
});

const checker = createHealthChecker();
const httpSpec = (path: string, extra = {}) => ({
  kind: 'http' as const,
  host: '127.0.0.1',
  port,
  path,
  expectStatus: [200],
  timeoutMs: 2000,
  ...extra,
});

describe('http health check', () => {
  it('passes on an expected status, with a fresh connection each time and the Host header', async () => {
    const before = sockets.size;
    const a = await checker.check(httpSpec('/', { hostHeader: 'www.example.com' }));
    const b = await checker.check(httpSpec('/'));
    expect(a.ok).toBe(true);
    expect(a.detail).toMatch(/^HTTP 200 in \d+ ms$/);
    expect(a.answered).toBe(true); // the node itself answered
    expect(b.ok).toBe(true);
    expect(sockets.size - before).toBe(2);
    expect(seen.at(-2)).toEqual({ host: 'www.example.com', connection: 'close' });
  });

  it('fails on another status, or a body that does not match', async () => {
    expect(await checker.check(httpSpec('/down'))).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^HTTP 503 in \d+ ms \(expected 200\)$/),
      answered: true, // failing, but up: an answer all the same
    });
    expect(
      await checker.check(httpSpec('/', { bodyMatch: 'kernel 3\\.10\\.0-1160\\.119' })),
    ).toMatchObject({ ok: true });
    expect(await checker.check(httpSpec('/', { bodyMatch: 'kernel 4\\.' }))).toMatchObject({
      ok: false,
      detail: expect.stringContaining('body does not match'),
    });
  });

  it('fails closed on a timeout, a refused connection, a bad regular expression', async () => {
    expect(await checker.check(httpSpec('/slow', { timeoutMs: 200 }))).toEqual({
      ok: false,
      detail: 'no answer within 200 ms',
    });
    const closed = await freePort();
    const refused = await checker.check({ ...httpSpec('/'), port: closed });
    expect(refused).toMatchObject({ ok: false, detail: expect.stringContaining('ECONNREFUSED') });
    expect(refused.answered).toBeUndefined();
    expect(await checker.check(httpSpec('/', { bodyMatch: '(' }))).toMatchObject({ ok: false });
  });
});

describe('tcp health check', () => {
  it('passes when the port accepts, fails when it refuses', async () => {
    expect(
      await checker.check({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 1000 }),
    ).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^TCP connect in \d+ ms$/),
      answered: true,
    });
    const closed = await freePort();
    expect(
      await checker.check({ kind: 'tcp', host: '127.0.0.1', port: closed, timeoutMs: 1000 }),
    ).toMatchObject({
      ok: false,
      detail: expect.stringContaining('ECONNREFUSED'),
    });
  });
});

describe('load-balancer health check', () => {
  // The emulator's LoadBalancer adapter is not merged yet: a tiny in-test implementation of the
  // one method this check uses.
  let statuses: BackendHealthStatus[] = [];
  let failing = false;
  const lb = {
    healthStatus: async (id: string, listenerPort?: number) => {
      if (failing)
        throw Object.assign(new Error('Throttling.User: request was denied'), {
          code: 'CLOUD_API_ERROR',
        });
      expect(id).toBe('lb-1');
      return statuses.filter((s) => listenerPort === undefined || s.listenerPort === listenerPort);
    },
  } as unknown as LoadBalancer;
  const lbChecker = createHealthChecker({ loadBalancer: lb });
  const status = (
    serverId: string,
    listenerPort: number,
    health: BackendHealthStatus['health'],
  ): BackendHealthStatus => ({
    serverId,
    port: 8080,
    listenerPort,
    protocol: 'tcp',
    health,
  });

  it('normal on the listener passes; abnormal, unavailable or absent fail', async () => {
    statuses = [
      status('i-1', 80, 'normal'),
      status('i-1', 443, 'abnormal'),
      status('i-2', 80, 'unavailable'),
    ];
    const spec = { kind: 'load-balancer' as const, loadBalancerId: 'lb-1', serverId: 'i-1' };
    expect(await lbChecker.check({ ...spec, listenerPort: 80 })).toEqual({
      ok: true,
      detail: 'normal on :80',
    });
    expect(await lbChecker.check(spec)).toEqual({ ok: false, detail: 'abnormal on :443' });
    expect(await lbChecker.check({ ...spec, serverId: 'i-2' })).toEqual({
      ok: false,
      detail: 'unavailable on :80',
    });
    expect(await lbChecker.check({ ...spec, serverId: 'i-3' })).toEqual({
      ok: false,
      detail: 'lb-1 reports no health for i-3',
    });
  });

  it('an API error fails the check with one line', async () => {
    failing = true;
    expect(
      await lbChecker.check({ kind: 'load-balancer', loadBalancerId: 'lb-1', serverId: 'i-1' }),
    ).toEqual({
      ok: false,
      detail: 'CLOUD_API_ERROR: Throttling.User: request was denied',
    });
    failing = false;
  });

  it('without a load balancer client the check fails closed', async () => {
    expect(
      await checker.check({ kind: 'load-balancer', loadBalancerId: 'lb-1', serverId: 'i-1' }),
    ).toMatchObject({ ok: false });
  });
});

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return free;
}
