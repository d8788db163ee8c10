/**
 * The LoadBalancer port's contract: what the engine may rely on, whichever implementation it
 * talks to (SLB on the emulator, the in-memory world). Run it with
 * `loadBalancerContract('name', () => subject)`; cases an implementation cannot pass go in
 * `skip` with the reason, as Hono's router suite does.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DrainctlError } from '#src/errors/index.js';
import type { ListenerConfig, LoadBalancer } from '#src/ports/index.js';

export type LoadBalancerCase =
  | 'create'
  | 'idempotent-create'
  | 'not-found'
  | 'find-by-name'
  | 'listener'
  | 'listener-differs'
  | 'start-stop'
  | 'backends'
  | 'unattached-weight'
  | 'health'
  | 'tags'
  | 'delete';

export interface LoadBalancerSubject {
  loadBalancer: LoadBalancer;
  /** At least three servers the balancer may take as backends. */
  serverIds: string[];
  listenerPort: number;
  backendPort: number;
}

export function tcpListener(port: number, backendPort: number): ListenerConfig {
  return {
    protocol: 'tcp',
    port,
    backendPort,
    scheduler: 'wrr',
    healthCheck: {
      enabled: true,
      type: 'tcp',
      intervalSeconds: 2,
      timeoutSeconds: 5,
      healthyThreshold: 3,
      unhealthyThreshold: 3,
    },
  };
}

/**
 * @param subject  called inside tests (after the caller's beforeAll has built the adapter)
 * @param skip     cases this adapter cannot pass, each with its reason
 */
export function loadBalancerContract(
  name: string,
  subject: () => LoadBalancerSubject,
  skip: Partial<Record<LoadBalancerCase, string>> = {},
): void {
  const test = (id: LoadBalancerCase, title: string, body: () => Promise<void>) => {
    const reason = skip[id];
    if (reason === undefined) it(title, body);
    else it.skip(`${title} (skipped: ${reason})`, body);
  };
  const fresh = async (tags: Record<string, string> = {}) => {
    const unique = randomUUID().slice(0, 8);
    return subject().loadBalancer.create({
      name: `contract-${unique}`,
      addressType: 'intranet',
      tags: { suite: 'contract', run: unique, ...tags },
      clientToken: `contract-${unique}`,
    });
  };

  describe(`LoadBalancer contract: ${name}`, () => {
    test(
      'create',
      'create resolves with an active balancer with an address, name and tags',
      async () => {
        const lb = await fresh({ team: 'ops' });
        expect(lb.status).toBe('active');
        expect(lb.address).not.toBe('');
        expect(lb.name).toMatch(/^contract-/);
        expect(lb.tags.team).toBe('ops');
        expect(lb.listeners).toEqual([]);
        expect(lb.backends).toEqual([]);
        expect(await subject().loadBalancer.describe(lb.id)).toMatchObject({
          id: lb.id,
          status: 'active',
        });
      },
    );

    test('idempotent-create', 'the same clientToken never creates a second balancer', async () => {
      const { loadBalancer } = subject();
      const request = {
        name: `contract-same-${randomUUID().slice(0, 8)}`,
        addressType: 'intranet' as const,
        tags: { suite: 'contract' },
        clientToken: `token-${randomUUID()}`,
      };
      const first = await loadBalancer.create(request);
      const second = await loadBalancer.create(request);
      expect(second.id).toBe(first.id);
      expect(await loadBalancer.findByName(request.name, {})).toHaveLength(1);
    });

    test('not-found', 'an unknown id is LOAD_BALANCER_NOT_FOUND', async () => {
      const error = await subject()
        .loadBalancer.describe('lb-doesnotexist000000')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DrainctlError);
      expect((error as DrainctlError).code).toBe('LOAD_BALANCER_NOT_FOUND');
    });

    test('find-by-name', 'findByName matches the exact name and every tag', async () => {
      const { loadBalancer } = subject();
      const lb = await fresh({ role: 'blue' });
      expect((await loadBalancer.findByName(lb.name, { role: 'blue' })).map((l) => l.id)).toEqual([
        lb.id,
      ]);
      expect(await loadBalancer.findByName(lb.name, { role: 'green' })).toEqual([]);
      expect(await loadBalancer.findByName(`${lb.name}-nope`, {})).toEqual([]);
      expect(await loadBalancer.findByName(lb.name.slice(0, -1), {})).toEqual([]);
    });

    test(
      'listener',
      'ensureListener creates a stopped listener once and returns it again',
      async () => {
        const { loadBalancer, listenerPort, backendPort } = subject();
        const lb = await fresh();
        const config = tcpListener(listenerPort, backendPort);
        expect(await loadBalancer.describeListener(lb.id, listenerPort, 'tcp')).toBeUndefined();
        const created = await loadBalancer.ensureListener(lb.id, config);
        expect(created).toMatchObject({
          protocol: 'tcp',
          port: listenerPort,
          backendPort,
          status: 'stopped',
        });
        const again = await loadBalancer.ensureListener(lb.id, config);
        expect(again).toEqual(created);
        expect((await loadBalancer.describe(lb.id)).listeners).toEqual([
          { port: listenerPort, protocol: 'tcp' },
        ]);
      },
    );

    test(
      'listener-differs',
      'an existing listener with another config is refused, never changed',
      async () => {
        const { loadBalancer, listenerPort, backendPort } = subject();
        const lb = await fresh();
        await loadBalancer.ensureListener(lb.id, tcpListener(listenerPort, backendPort));
        const error = await loadBalancer
          .ensureListener(lb.id, tcpListener(listenerPort, backendPort + 1))
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DrainctlError);
        expect((error as DrainctlError).code).toBe('LISTENER_CONFIG_DIFFERS');
        expect((error as Error).message).toMatch(/backendPort/);
        const live = await loadBalancer.describeListener(lb.id, listenerPort, 'tcp');
        expect(live?.backendPort).toBe(backendPort);
      },
    );

    test('start-stop', 'start and stop move the listener to running and stopped', async () => {
      const { loadBalancer, listenerPort, backendPort } = subject();
      const lb = await fresh();
      await loadBalancer.ensureListener(lb.id, tcpListener(listenerPort, backendPort));
      await loadBalancer.startListener(lb.id, listenerPort, 'tcp');
      expect((await loadBalancer.describeListener(lb.id, listenerPort, 'tcp'))?.status).toBe(
        'running',
      );
      await loadBalancer.stopListener(lb.id, listenerPort, 'tcp');
      expect((await loadBalancer.describeListener(lb.id, listenerPort, 'tcp'))?.status).toBe(
        'stopped',
      );
      await loadBalancer.deleteListener(lb.id, listenerPort, 'tcp');
      expect(await loadBalancer.describeListener(lb.id, listenerPort, 'tcp')).toBeUndefined();
      await loadBalancer.deleteListener(lb.id, listenerPort, 'tcp');
    });

    test(
      'backends',
      'backends are added, reweighed and removed; repeats change nothing',
      async () => {
        const { loadBalancer, serverIds } = subject();
        const [a, b, c] = serverIds as [string, string, string];
        const lb = await fresh();
        await loadBalancer.addBackends(lb.id, [
          { serverId: a, weight: 100 },
          { serverId: b, weight: 0 },
        ]);
        await loadBalancer.addBackends(lb.id, [
          { serverId: a, weight: 100 },
          { serverId: b, weight: 0 },
        ]);
        const weights = async () =>
          Object.fromEntries(
            (await loadBalancer.listBackends(lb.id)).map((s) => [s.serverId, s.weight]),
          );
        expect(await weights()).toEqual({ [a]: 100, [b]: 0 });
        await loadBalancer.setBackendWeights(lb.id, [
          { serverId: a, weight: 0 },
          { serverId: b, weight: 50 },
        ]);
        expect(await weights()).toEqual({ [a]: 0, [b]: 50 });
        await loadBalancer.addBackends(lb.id, [{ serverId: c, weight: 10 }]);
        await loadBalancer.removeBackends(lb.id, [a, c]);
        await loadBalancer.removeBackends(lb.id, [a]);
        expect(await weights()).toEqual({ [b]: 50 });
        for (const server of await loadBalancer.listBackends(lb.id)) {
          expect(typeof server.weight).toBe('number');
        }
      },
    );

    test(
      'unattached-weight',
      'setting the weight of an unattached backend is an error and changes nothing',
      async () => {
        const { loadBalancer, serverIds } = subject();
        const [a, b] = serverIds as [string, string];
        const lb = await fresh();
        await loadBalancer.addBackends(lb.id, [{ serverId: a, weight: 100 }]);
        const error = await loadBalancer
          .setBackendWeights(lb.id, [
            { serverId: a, weight: 0 },
            { serverId: b, weight: 0 },
          ])
          .catch((e: unknown) => e);
        expect((error as DrainctlError).code).toBe('BACKEND_NOT_ATTACHED');
        expect((await loadBalancer.listBackends(lb.id)).map((s) => s.weight)).toEqual([100]);
      },
    );

    test(
      'health',
      'healthStatus lists the backends of a listener with a known health',
      async () => {
        const { loadBalancer, serverIds, listenerPort, backendPort } = subject();
        const [a, b] = serverIds as [string, string];
        const lb = await fresh();
        await loadBalancer.ensureListener(lb.id, tcpListener(listenerPort, backendPort));
        await loadBalancer.addBackends(lb.id, [
          { serverId: a, weight: 100 },
          { serverId: b, weight: 100 },
        ]);
        await loadBalancer.startListener(lb.id, listenerPort, 'tcp');
        const health = await loadBalancer.healthStatus(lb.id, listenerPort);
        expect(health.map((h) => h.serverId).sort()).toEqual([a, b].sort());
        for (const entry of health) {
          expect(entry.listenerPort).toBe(listenerPort);
          expect(['normal', 'abnormal', 'unavailable']).toContain(entry.health);
        }
        const all = await loadBalancer.healthStatus(lb.id);
        expect(all.filter((h) => h.listenerPort === listenerPort)).toHaveLength(2);
      },
    );

    test('tags', 'tags are read, added or overwritten, and removed by key', async () => {
      const { loadBalancer } = subject();
      const lb = await fresh();
      await loadBalancer.setTags(lb.id, { 'drainctl-run': 'r-1@ops-01@2026-11-21T02:00:00.000Z' });
      expect(await loadBalancer.getTags(lb.id)).toMatchObject({
        suite: 'contract',
        'drainctl-run': 'r-1@ops-01@2026-11-21T02:00:00.000Z',
      });
      await loadBalancer.setTags(lb.id, { 'drainctl-run': 'r-2@ops-02@2026-11-21T02:01:00.000Z' });
      expect((await loadBalancer.getTags(lb.id))['drainctl-run']).toBe(
        'r-2@ops-02@2026-11-21T02:01:00.000Z',
      );
      await loadBalancer.removeTags(lb.id, ['drainctl-run', 'not-there']);
      const after = await loadBalancer.getTags(lb.id);
      expect(after['drainctl-run']).toBeUndefined();
      expect(after.suite).toBe('contract');
    });

    test('delete', 'delete removes the balancer and is safe to repeat', async () => {
      const { loadBalancer } = subject();
      const lb = await fresh();
      await loadBalancer.delete(lb.id);
      await loadBalancer.delete(lb.id);
      const error = await loadBalancer.describe(lb.id).catch((e: unknown) => e);
      expect((error as DrainctlError).code).toBe('LOAD_BALANCER_NOT_FOUND');
    });
  });
}
