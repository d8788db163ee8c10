import { describe, expect, it } from 'vitest';
import { Ecs, useEmulator } from '#support/emulator-sdk.js';
import { FAST } from '#support/emulator-timings.js';
import { expectApiError } from '#support/expect-api-error.js';

async function admin(endpoint: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${endpoint}/__emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('fault injection and the admin API', () => {
  const env = useEmulator({ timings: FAST });

  it('api-error: the next N calls of one action fail with the real status and body, then it works', async () => {
    const { callSlb, emu } = env();
    const lb = String((await callSlb('CreateLoadBalancer', {})).LoadBalancerId);
    await callSlb('AddBackendServers', {
      LoadBalancerId: lb,
      BackendServers: JSON.stringify([{ ServerId: 'i-emu-web-1' }]),
    });
    const injected = await admin(emu.endpoint, 'POST', 'faults', {
      kind: 'api-error',
      action: 'SetBackendServers',
      code: 'Throttling.User',
      count: 3,
    });
    expect(injected.status).toBe(200);
    const set = () =>
      callSlb('SetBackendServers', {
        LoadBalancerId: lb,
        BackendServers: JSON.stringify([{ ServerId: 'i-emu-web-1', Weight: '0' }]),
      });
    for (let i = 0; i < 3; i++) {
      const error = await expectApiError(set(), 'Throttling.User', 400);
      expect(error.data.Message).toBe('Request was denied due to user flow control.');
    }
    expect(await callSlb('DescribeLoadBalancerAttribute', { LoadBalancerId: lb })).toMatchObject({
      LoadBalancerId: lb,
    });
    expect(await set()).toMatchObject({ LoadBalancerId: lb });
  });

  it("api-error on '*' with retryAfterMs: every action fails, openapi-core reads x-acs-retry-after", async () => {
    const { ecs, emu } = env();
    emu.injectFault({
      kind: 'api-error',
      action: '*',
      code: 'Throttling',
      count: 1,
      retryAfterMs: 1500,
    });
    const error = await expectApiError(
      ecs.describeInstances(new Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou' })),
      'Throttling',
      400,
    );
    expect(error.retryAfter).toBe(1500);
    emu.injectFault({
      kind: 'api-error',
      action: '*',
      product: 'ecs',
      code: 'ServiceUnavailable',
      count: 1,
    });
    await expectApiError(
      ecs.describeInstanceStatus(
        new Ecs.DescribeInstanceStatusRequest({ regionId: 'cn-hangzhou' }),
      ),
      'ServiceUnavailable',
      503,
    );
    emu.injectFault({
      kind: 'api-error',
      action: 'DescribeInstances',
      code: 'InternalError',
      rate: 1,
      count: 1,
    });
    await expectApiError(
      ecs.describeInstances(new Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou' })),
      'InternalError',
      500,
    );
    const ok = await ecs.describeInstances(
      new Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }),
    );
    expect(ok.body?.totalCount).toBe(4);
  });

  it('latency: matching calls are delayed', async () => {
    const { ecs, emu } = env();
    emu.injectFault({ kind: 'latency', action: 'DescribeInstanceStatus', ms: 300, count: 1 });
    const started = Date.now();
    await ecs.describeInstanceStatus(
      new Ecs.DescribeInstanceStatusRequest({ regionId: 'cn-hangzhou' }),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const again = Date.now();
    await ecs.describeInstanceStatus(
      new Ecs.DescribeInstanceStatusRequest({ regionId: 'cn-hangzhou' }),
    );
    expect(Date.now() - again).toBeLessThan(250);
  });

  it('world faults are accepted and listed; invalid faults are refused with a reason; DELETE clears all', async () => {
    const { emu } = env();
    const injected = await admin(emu.endpoint, 'POST', 'faults', [
      { kind: 'boot-failure', instanceId: 'i-emu-web-2' },
      { kind: 'unhealthy-after-reboot', instanceId: 'i-emu-web-3', seconds: 30 },
      { kind: 'app-5xx-after-reboot', instanceId: 'i-emu-web-4', rate: 0.5 },
      { kind: 'health-flapping', instanceId: 'i-emu-web-1', periodSeconds: 2, seconds: 10 },
    ]);
    expect(injected.status).toBe(200);
    const listed = (await admin(emu.endpoint, 'GET', 'faults')).body.faults as { kind: string }[];
    expect(listed.map((fault) => fault.kind)).toEqual([
      'boot-failure',
      'unhealthy-after-reboot',
      'app-5xx-after-reboot',
      'health-flapping',
    ]);
    const unknownInstance = await admin(emu.endpoint, 'POST', 'faults', {
      kind: 'boot-failure',
      instanceId: 'i-nope',
    });
    expect(unknownInstance).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('i-nope') },
    });
    const badKind = await admin(emu.endpoint, 'POST', 'faults', {
      kind: 'meteor',
      instanceId: 'i-emu-web-1',
    });
    expect(badKind.status).toBe(400);
    const badCount = await admin(emu.endpoint, 'POST', 'faults', {
      kind: 'api-error',
      action: 'X',
      code: 'Throttling',
      count: 0,
    });
    expect(badCount).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('count') },
    });
    expect((await admin(emu.endpoint, 'DELETE', 'faults')).status).toBe(200);
    expect((await admin(emu.endpoint, 'GET', 'faults')).body.faults).toEqual([]);
  });

  it('GET /__emulator/state has the agreed shape; POST /__emulator/reset restores the topology', async () => {
    const { emu, callSlb } = env();
    const lb = String((await callSlb('CreateLoadBalancer', {})).LoadBalancerId);
    await callSlb('CreateLoadBalancerTCPListener', {
      LoadBalancerId: lb,
      ListenerPort: 8080,
      BackendServerPort: 8080,
      Bandwidth: -1,
    });
    await callSlb('AddBackendServers', {
      LoadBalancerId: lb,
      BackendServers: JSON.stringify([{ ServerId: 'i-emu-web-1', Weight: 70 }]),
    });
    emu.injectFault({ kind: 'api-error', action: '*', code: 'Throttling', count: 5 });
    const { status, body } = await admin(emu.endpoint, 'GET', 'state');
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['dns', 'instances', 'loadBalancers', 'records']);
    const instances = body.instances as Record<string, unknown>[];
    expect(instances).toHaveLength(4);
    expect(Object.keys(instances[0] ?? {}).sort()).toEqual([
      'accessLog',
      'app',
      'id',
      'kernel',
      'privateIp',
      'status',
    ]);
    expect(instances[0]).toMatchObject({
      id: 'i-emu-web-1',
      app: `${instances[0]?.privateIp}:8080`,
      kernel: '3.10.0-1160.el7.x86_64',
      status: 'Running',
      accessLog: `${emu.stateDir}/instances/i-emu-web-1/access.log`,
    });
    expect(body.loadBalancers).toContainEqual({
      id: lb,
      address: expect.any(String),
      listeners: [{ port: 8080, protocol: 'tcp', status: 'stopped', dataPlane: null }],
      backends: [{ serverId: 'i-emu-web-1', weight: 70, health: 'unavailable' }],
    });
    expect(body.dns).toBe(emu.dnsServer);
    expect(body.records).toEqual([
      expect.objectContaining({
        name: 'www.example.com',
        type: 'A',
        value: instances[0]?.privateIp,
        ttl: 10,
      }),
    ]);
    const reset = await admin(emu.endpoint, 'POST', 'reset');
    expect(reset.status).toBe(200);
    expect(reset.body.loadBalancers).toEqual([]);
    expect((await admin(emu.endpoint, 'GET', 'faults')).body.faults).toEqual([]);
    expect(await callSlb('DescribeLoadBalancers')).toMatchObject({ TotalCount: 0 });
    expect((await admin(emu.endpoint, 'GET', 'nothing-here')).status).toBe(404);
  });
});
