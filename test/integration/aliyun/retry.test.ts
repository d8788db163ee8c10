/**
 * The retry policy against real HTTP: faults are injected through the emulator's admin API,
 * calls go through the real SDK clients, retries are read from the adapters' log.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAliyunClients } from '#src/adapters/aliyun/clients.js';
import { AliyunApiError } from '#src/adapters/aliyun/transport/cloud-error.js';
import { createCloudPorts } from '#src/adapters/index.js';
import type { DrainctlError } from '#src/errors/index.js';
import { type AliyunTestEnv, startAliyunEnv } from '#support/emulator-adapters.js';
import { type RequestRecorder, startRequestRecorder } from '#support/request-recorder.js';

let env: AliyunTestEnv;
let recorder: RequestRecorder;

beforeAll(async () => {
  env = await startAliyunEnv();
  recorder = await startRequestRecorder(env.emu.endpoint);
});
afterEach(async () => {
  env.emu.clearFaults();
  env.logs.length = 0;
  recorder.calls.length = 0;
});
afterAll(async () => {
  await recorder?.close();
  await env?.emu.close();
});

/** Ports and clients that go through the recorder. */
function recorded() {
  const options = { ...env.options, endpoint: recorder.endpoint };
  return { ports: createCloudPorts(options), clients: createAliyunClients(options) };
}

async function injectFault(fault: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${env.emu.endpoint}/__emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  expect(response.ok).toBe(true);
}

const retryLines = (action: string) =>
  env.logs.filter((line) => line.action === action && line.level === 'warn');

describe('retries', () => {
  it('rides out a throttling storm on SetBackendServers and logs every retry', async () => {
    const { ports } = recorded();
    const lb = await ports.loadBalancer.create({
      name: 'storm',
      addressType: 'intranet',
      tags: {},
      clientToken: 'storm-1',
    });
    await ports.loadBalancer.addBackends(lb.id, [{ serverId: 'i-emu-web-1', weight: 100 }]);
    await injectFault({
      kind: 'api-error',
      action: 'SetBackendServers',
      code: 'Throttling.User',
      count: 3,
    });

    await ports.loadBalancer.setBackendWeights(lb.id, [{ serverId: 'i-emu-web-1', weight: 0 }]);

    expect(recorder.actions('SetBackendServers')).toHaveLength(4);
    expect((await ports.loadBalancer.listBackends(lb.id))[0]?.weight).toBe(0);
    const lines = retryLines('SetBackendServers');
    expect(lines.map((l) => l.attempt)).toEqual([1, 2, 3]);
    for (const line of lines) {
      expect(line).toMatchObject({ product: 'slb', code: 'Throttling.User', httpStatus: 400 });
      expect(line.requestId).toEqual(expect.any(String));
      expect(line.delayMs).toEqual(expect.any(Number));
    }
  });

  it('surfaces a non-retryable error at once, with its code and RequestId', async () => {
    const { ports, clients } = recorded();
    const error = await clients.slb
      .describeLoadBalancerAttribute('lb-unknown0000000000')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AliyunApiError);
    const cloud = error as AliyunApiError;
    expect(cloud.cloudCode).toBe('InvalidLoadBalancerId.NotFound');
    expect(cloud.httpStatus).toBe(404);
    expect(cloud.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(cloud.message).toContain(cloud.requestId);
    expect(recorder.actions('DescribeLoadBalancerAttribute')).toHaveLength(1);
    expect(retryLines('DescribeLoadBalancerAttribute')).toEqual([]);

    const portError = await ports.loadBalancer
      .describe('lb-unknown0000000000')
      .catch((e: unknown) => e);
    expect((portError as DrainctlError).code).toBe('LOAD_BALANCER_NOT_FOUND');
    expect((portError as Error).message).toMatch(
      /InvalidLoadBalancerId\.NotFound, RequestId [0-9A-F-]{36}/,
    );
  });

  it('fails with a clear message when a retryable error never clears', async () => {
    const { ports } = recorded();
    await injectFault({
      kind: 'api-error',
      action: 'DescribeLoadBalancers',
      code: 'ServiceUnavailable',
      rate: 1,
    });
    const error = await ports.loadBalancer.findByName('any', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AliyunApiError);
    const cloud = error as AliyunApiError;
    expect(cloud.code).toBe('CLOUD_RETRIES_EXHAUSTED');
    expect(cloud.cloudCode).toBe('ServiceUnavailable');
    expect(cloud.httpStatus).toBe(503);
    expect(cloud.message).toMatch(
      /^aliyun slb DescribeLoadBalancers failed: ServiceUnavailable HTTP 503: .*still failing after 6 attempts in \d+\.\d s; retry budget exhausted\) RequestId /,
    );
    expect(recorder.actions('DescribeLoadBalancers')).toHaveLength(6);
    expect(retryLines('DescribeLoadBalancers')).toHaveLength(5);
  });

  it('waits as long as the cloud asks (x-acs-retry-after) where the SDK reports it', async () => {
    const { ports } = recorded();
    await injectFault({
      kind: 'api-error',
      action: 'DescribeInstances',
      code: 'Throttling.User',
      count: 1,
      retryAfterMs: 400,
    });
    const started = performance.now();
    await ports.host.describe(['i-emu-web-1']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    expect(retryLines('DescribeInstances')[0]?.delayMs).toBe(400);
  });

  it('re-reads before resending a non-idempotent change after an ambiguous failure', async () => {
    const { ports } = recorded();
    await injectFault({
      kind: 'api-error',
      action: 'UpdateDomainRecord',
      code: 'InternalError',
      count: 1,
    });
    const [before] = await ports.dns.findRecords('example.com', 'www', 'A');
    recorder.calls.length = 0;
    const after = await ports.dns.pointRecord({
      domain: 'example.com',
      rr: 'www',
      type: 'A',
      value: '127.0.0.77',
      ttl: 60,
    });
    expect(after).toMatchObject({ recordId: before?.recordId, value: '127.0.0.77', ttl: 60 });
    expect(recorder.calls.map((c) => c.action)).toEqual([
      'DescribeDomainRecords',
      'UpdateDomainRecord',
      'DescribeDomainRecords',
      'DescribeDomainRecords',
      'UpdateDomainRecord',
      'DescribeDomainRecords',
    ]);
    // Never resent by the retry policy itself: each resend follows a read.
    expect(retryLines('UpdateDomainRecord')).toEqual([]);
  });

  it('checks the balancer before adding backends again after an ambiguous failure', async () => {
    const { ports } = recorded();
    const lb = await ports.loadBalancer.create({
      name: 'ambiguous',
      addressType: 'intranet',
      tags: {},
      clientToken: 'ambiguous-1',
    });
    await injectFault({
      kind: 'api-error',
      action: 'AddBackendServers',
      code: 'InternalError',
      count: 1,
    });
    await ports.loadBalancer.addBackends(lb.id, [{ serverId: 'i-emu-web-2', weight: 100 }]);
    expect(recorder.actions('AddBackendServers')).toHaveLength(2);
    expect((await ports.loadBalancer.listBackends(lb.id)).map((b) => b.serverId)).toEqual([
      'i-emu-web-2',
    ]);
  });
});
