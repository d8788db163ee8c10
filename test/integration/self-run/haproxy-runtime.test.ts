/**
 * The HAProxy adapter against a real HAProxy on loopback through its stats socket: a server
 * drained, put in maint and back to ready under client load with no failed request, every
 * server's state and weight as before afterwards; its session counts as a drain signal. Fails
 * (never skips) without haproxy: `.ci/run` installs it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createHaproxyLoadBalancer,
  createSessionCountProbe,
  localRuntimeApi,
  serverStats,
} from '#src/adapters/haproxy/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { get } from '#support/http-client.js';
import {
  type Backend,
  clientLoad,
  type RunningServer,
  startBackend,
  startHaproxy,
} from '#support/self-run-balancers.js';

let backends: Backend[] = [];
let haproxy: (RunningServer & { socket: string }) | undefined;

beforeEach(async () => {
  backends = [await startBackend('web-1'), await startBackend('web-2')];
  haproxy = await startHaproxy({ s1: backends[0]?.address ?? '', s2: backends[1]?.address ?? '' });
});

afterEach(async () => {
  await haproxy?.stop();
  for (const backend of backends) await backend.close();
  haproxy = undefined;
  backends = [];
});

function subject(socket: string) {
  const api = localRuntimeApi(socket);
  return {
    api,
    lb: createHaproxyLoadBalancer({
      id: 'haproxy-app',
      where: socket,
      backend: 'app',
      servers: { 'i-web-1': 's1', 'i-web-2': 's2' },
      api,
      clock: systemClock,
      maintAfterMs: 5_000,
    }),
  };
}

/** Every server's admin and operational state and weights, without the time since a change. */
async function serversState(api: (command: string) => Promise<string>) {
  return (await api('show servers state app'))
    .split('\n')
    .filter((line) => /^\d+ app /.test(line))
    .map((line) => {
      const f = line.split(' ');
      return { name: f[3], op: f[5], admin: f[6], uweight: f[7], iweight: f[8] };
    });
}

describe('an HAProxy backend as a load balancer', () => {
  it('drains a server to maint and back to ready under load, with no failed request', async () => {
    const { api, lb } = subject(haproxy?.socket ?? '');
    const url = haproxy?.url ?? '';
    const before = await serversState(api);
    const load = clientLoad(url);

    await lb.setBackendWeights('haproxy-app', [{ serverId: 'i-web-1', weight: 0 }]);
    expect((await serverStats(api, 'app')).map((s) => [s.server, s.status])).toEqual([
      ['s1', 'MAINT'],
      ['s2', 'UP'],
    ]);
    expect((await lb.listBackends('haproxy-app')).map((b) => [b.serverId, b.weight])).toEqual([
      ['i-web-1', 0],
      ['i-web-2', 10],
    ]);
    const served = backends[0]?.served();
    for (let i = 0; i < 10; i++) expect((await get(`${url}/x`)).body).toBe('web-2\n');
    expect(backends[0]?.served()).toBe(served);

    await lb.setBackendWeights('haproxy-app', [{ serverId: 'i-web-1', weight: 5 }]);
    expect((await lb.listBackends('haproxy-app')).map((b) => b.weight)).toEqual([5, 10]);
    await lb.setBackendWeights('haproxy-app', [{ serverId: 'i-web-1', weight: 10 }]);
    const counts = await load.stop();
    expect(counts.failed, counts.errors.join('; ')).toBe(0);
    expect(counts.ok).toBeGreaterThan(10);
    expect(await serversState(api)).toEqual(before);
  });

  it("HAProxy's session counts say when a drained server is quiet, and when one still serves", async () => {
    const { api, lb } = subject(haproxy?.socket ?? '');
    const load = clientLoad(haproxy?.url ?? '');
    try {
      const serving = createSessionCountProbe({
        api,
        backend: 'app',
        server: 's2',
        clock: systemClock,
        pollMs: 200,
      });
      const busy = await serving.waitForDrain({ quietSeconds: 1, timeoutSeconds: 1.5 });
      expect(busy.outcome).toBe('timeout');
      expect(busy.realRequests).toBeGreaterThan(0);

      await lb.setBackendWeights('haproxy-app', [{ serverId: 'i-web-1', weight: 0 }]);
      const drained = createSessionCountProbe({
        api,
        backend: 'app',
        server: 's1',
        clock: systemClock,
        pollMs: 200,
      });
      const quiet = await drained.waitForDrain({ quietSeconds: 1, timeoutSeconds: 5 });
      expect(quiet).toMatchObject({ outcome: 'drained', realRequests: 0 });
      const rate = await serving.measureErrorRate({ seconds: 0.5 });
      expect(rate.requests).toBeGreaterThan(0);
      expect(rate.errors5xx).toBe(0);
    } finally {
      await load.stop();
    }
  });

  it('names HAProxy and the server when a mapped server is not in the backend', async () => {
    const api = localRuntimeApi(haproxy?.socket ?? '');
    const lb = createHaproxyLoadBalancer({
      id: 'haproxy-app',
      where: 'the test socket',
      backend: 'app',
      servers: { 'i-web-3': 's3' },
      api,
      clock: systemClock,
      maintAfterMs: 1_000,
    });
    await expect(lb.listBackends('haproxy-app')).rejects.toThrow(
      'HAProxy at the test socket has no server app/s3 (for i-web-3)',
    );
  });

  it('refuses a weight for a server it does not know, and changes no server (the port contract)', async () => {
    const { api, lb } = subject(haproxy?.socket ?? '');
    const before = await serversState(api);
    await expect(
      lb.setBackendWeights('haproxy-app', [
        { serverId: 'i-web-1', weight: 0 },
        { serverId: 'i-web-9', weight: 0 },
      ]),
    ).rejects.toMatchObject({ code: 'BACKEND_NOT_ATTACHED' });
    expect(await serversState(api)).toEqual(before);
    await expect(lb.listBackends('lb-other')).rejects.toMatchObject({
      code: 'LOAD_BALANCER_NOT_FOUND',
    });
  });
});
