/**
 * HAProxy's session counts as a TrafficProbe, through the port's contract: a real HAProxy on
 * loopback with one server that served requests before any probe opened, traffic through it (every third
 * request a 503). Nothing is skipped.
 */
import { afterAll, beforeAll } from 'vitest';
import { createSessionCountProbe, localRuntimeApi } from '#src/adapters/haproxy/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { trafficProbeContract } from '#support/contracts/traffic-probe.contract.js';
import { get } from '#support/http-client.js';
import {
  type Backend,
  type RunningServer,
  startBackend,
  startHaproxy,
} from '#support/self-run-balancers.js';

let backend: Backend;
let haproxy: RunningServer & { socket: string };

beforeAll(async () => {
  backend = await startBackend('web-1', (path) => (path.startsWith('/boom') ? 503 : 200));
  haproxy = await startHaproxy({ s1: backend.address });
  // History for every case: sessions that ended before any probe was opened.
  for (let i = 0; i < 5; i++) await get(`${haproxy.url}/before`);
});

afterAll(async () => {
  await haproxy.stop();
  await backend.close();
});

trafficProbeContract('HAProxy session counts', () => ({
  open: async () =>
    createSessionCountProbe({
      api: localRuntimeApi(haproxy.socket),
      backend: 'app',
      server: 's1',
      clock: systemClock,
      pollMs: 100,
    }),
  traffic: () => {
    let running = true;
    void (async () => {
      for (let i = 0; running; i++) {
        await get(`${haproxy.url}/${i % 3 === 0 ? 'boom' : 'ok'}`).catch(() => undefined);
      }
    })();
    return () => {
      running = false;
    };
  },
  seesStatus: true,
}));
