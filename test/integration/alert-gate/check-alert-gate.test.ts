/**
 * checkAlertGate over HTTP on loopback against a stand-in answering what Prometheus answers (and
 * what a broken proxy in front of it might): every way of not getting a clear answer blocks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAlertGate, DEFAULT_ALERT_QUERY } from '#src/alert-gate/index.js';
import type { AlertGateQuery } from '#src/ports/index.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
let handler: Handler = (_q, r) => r.end();
let server: Server;
let base: string;
const seen: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(request);
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function json(status: number, body: unknown): Handler {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
}

function gate(over: Partial<AlertGateQuery> = {}): AlertGateQuery {
  return { prometheusUrl: base, query: DEFAULT_ALERT_QUERY, labels: {}, timeoutMs: 1000, ...over };
}

const vector = (metrics: Array<Record<string, string>>) => ({
  status: 'success',
  data: {
    resultType: 'vector',
    result: metrics.map((metric) => ({ metric, value: [1_700_000_000, '1'] })),
  },
});

describe('checkAlertGate', () => {
  it('asks /api/v1/query with the query, under a path prefix, with bearer or basic credentials', async () => {
    handler = json(200, vector([]));
    seen.length = 0;
    await checkAlertGate(gate({ prometheusUrl: `${base}/prom`, auth: { bearerToken: 'tok-1' } }));
    await checkAlertGate(gate({ auth: { username: 'ops', password: 'pw' } }));
    const [first, second] = seen;
    const url = new URL(first?.url ?? '', base);
    expect(url.pathname).toBe('/prom/api/v1/query');
    expect(url.searchParams.get('query')).toBe(DEFAULT_ALERT_QUERY);
    expect(first?.headers.authorization).toBe('Bearer tok-1');
    expect(second?.headers.authorization).toBe(`Basic ${Buffer.from('ops:pw').toString('base64')}`);
  });

  it('blocks while a series passes the label filter, naming each, and is open otherwise', async () => {
    handler = json(
      200,
      vector([
        { __name__: 'ALERTS', alertname: 'DiskFull', alertstate: 'firing', severity: 'warning' },
        {
          __name__: 'ALERTS',
          alertname: 'HighErrorRate',
          alertstate: 'firing',
          severity: 'critical',
          instance: 'web-1',
        },
      ]),
    );
    const all = await checkAlertGate(gate());
    expect(all).toMatchObject({ blocked: true });
    expect(all.reason).toBe(
      '2 series match ALERTS{alertstate="firing"}: DiskFull{severity="warning"}, HighErrorRate{instance="web-1", severity="critical"}',
    );
    const critical = await checkAlertGate(gate({ labels: { severity: 'critical' } }));
    expect(critical.matches).toHaveLength(1);
    expect(critical.reason).toBe(
      '1 series match ALERTS{alertstate="firing"} with severity="critical": HighErrorRate{instance="web-1", severity="critical"}',
    );
    const page = await checkAlertGate(gate({ labels: { severity: 'page' } }));
    expect(page).toEqual({
      blocked: false,
      reason: 'open: nothing matches ALERTS{alertstate="firing"} with severity="page"',
      matches: [],
    });
  });

  it('fails closed on an error answer, a non-JSON body, a scalar, a redirect, a timeout and a closed port', async () => {
    const reasons: string[] = [];
    const ask = async (h: Handler, over: Partial<AlertGateQuery> = {}) => {
      handler = h;
      const verdict = await checkAlertGate(gate(over));
      expect(verdict.blocked).toBe(true);
      expect(verdict.matches).toEqual([]);
      reasons.push(verdict.reason.replace(base, 'BASE'));
    };
    await ask(json(503, { status: 'error', errorType: 'timeout', error: 'query timed out' }));
    await ask((_q, r) => {
      r.writeHead(502, { 'content-type': 'text/html' });
      r.end('<html>Bad Gateway</html>');
    });
    await ask(json(200, { status: 'success', data: { resultType: 'scalar', result: [1, '1'] } }));
    await ask(json(200, { status: 'success', data: {} }));
    await ask((_q, r) => {
      r.writeHead(302, { location: '/login' });
      r.end();
    });
    await ask(() => {}, { timeoutMs: 200 }); // never answers
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = await checkAlertGate(gate({ prometheusUrl: `http://127.0.0.1:${port}` }));
    expect(down.blocked).toBe(true);
    const prefix = 'cannot evaluate the alert gate (fails closed): Prometheus at BASE ';
    expect(reasons).toEqual([
      `${prefix}answered HTTP 503, Prometheus says timeout: query timed out`,
      `${prefix}answered HTTP 502 with a body that is not JSON: <html>Bad Gateway</html>`,
      `${prefix}answered a scalar, not series: write a query that returns the alerts (or series) that block`,
      `${prefix}answered success without data.result`,
      expect.stringMatching(
        /^cannot evaluate the alert gate \(fails closed\): Prometheus at BASE cannot be reached: /,
      ),
      `${prefix}did not answer within 200 ms`,
    ]);
    expect(down.reason).toMatch(/cannot be reached: .*ECONNREFUSED/);
  });

  it('a cancelled question is blocked, not an error', async () => {
    handler = () => {};
    const controller = new AbortController();
    const pending = checkAlertGate(gate({ timeoutMs: 10_000 }), { signal: controller.signal });
    controller.abort(new Error('stop'));
    expect(await pending).toMatchObject({
      blocked: true,
      reason: 'cannot evaluate the alert gate (fails closed): the question was cancelled',
    });
  });
});
