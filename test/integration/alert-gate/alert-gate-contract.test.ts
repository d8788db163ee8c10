/**
 * The Prometheus checker the composition root wires (prometheusAlertGate) held to the
 * AlertGateChecker contract the in-memory world passes, against a loopback stand-in answering as
 * /api/v1/query does (the real Prometheus: real-prometheus.test.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_ALERT_QUERY, prometheusAlertGate } from '#src/alert-gate/index.js';
import { alertGateContract } from '#support/contracts/alert-gate.contract.js';

let firing: string[] = [];
let server: Server;
let url = '';
/** A loopback port nothing listens on (bound on port 0, then closed): the connection is refused. */
let closedUrl = '';
let reachable = true;

beforeAll(async () => {
  server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'vector',
          result: firing.map((alertname) => ({
            metric: { __name__: 'ALERTS', alertname, alertstate: 'firing' },
            value: [1_700_000_000, '1'],
          })),
        },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

alertGateContract('Prometheus over HTTP', () => ({
  checker: prometheusAlertGate(),
  // Read when the case asks, after it chose reachable or not.
  get query() {
    return {
      prometheusUrl: reachable ? url : closedUrl,
      query: DEFAULT_ALERT_QUERY,
      labels: {},
      timeoutMs: 2000,
    };
  },
  firing: (alertname) => {
    reachable = true;
    firing = [alertname];
  },
  quiet: () => {
    reachable = true;
    firing = [];
  },
  unreachable: () => {
    reachable = false;
  },
}));
