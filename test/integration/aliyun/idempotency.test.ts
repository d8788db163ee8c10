/**
 * Mutations safe to repeat: a re-run never creates a second balancer, and pointing a record at
 * what it holds is done without a write (Alidns would answer DomainRecordDuplicate).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAliyunClients } from '#src/adapters/aliyun/clients.js';
import { AliyunApiError } from '#src/adapters/aliyun/transport/cloud-error.js';
import { createCloudPorts } from '#src/adapters/index.js';
import { type AliyunTestEnv, startAliyunEnv } from '#support/emulator-adapters.js';
import { type RequestRecorder, startRequestRecorder } from '#support/request-recorder.js';

let env: AliyunTestEnv;
let recorder: RequestRecorder;
beforeAll(async () => {
  env = await startAliyunEnv();
  recorder = await startRequestRecorder(env.emu.endpoint);
});
afterAll(async () => {
  await recorder?.close();
  await env?.emu.close();
});

const request = {
  name: 'web-ha',
  addressType: 'intranet' as const,
  tags: { app: 'web', 'drainctl-workflow': 'kernel-patch' },
  clientToken: 'kernel-patch-create-lb',
};

describe('idempotent mutations', () => {
  it('creating twice with the same ClientToken gives one balancer', async () => {
    const { loadBalancer } = env.ports;
    const first = await loadBalancer.create(request);
    // A second process (a re-run after a crash) with fresh clients.
    const second = await createCloudPorts(env.options).loadBalancer.create(request);
    expect(second.id).toBe(first.id);
    expect(env.emu.state().loadBalancers.map((lb) => lb.id)).toEqual([first.id]);
    expect((await loadBalancer.findByName('web-ha', { app: 'web' })).map((lb) => lb.id)).toEqual([
      first.id,
    ]);
  });

  it('refuses the same ClientToken with other parameters instead of guessing', async () => {
    const error = await env.ports.loadBalancer
      .create({ ...request, name: 'web-ha-renamed' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AliyunApiError);
    expect((error as AliyunApiError).cloudCode).toBe('LX_REQUEST_TOKEN_CONFLICT');
    expect(env.emu.state().loadBalancers).toHaveLength(1);
  });

  it('pointRecord with an unchanged value succeeds without writing', async () => {
    const dns = createCloudPorts({ ...env.options, endpoint: recorder.endpoint }).dns;
    const [record] = await dns.findRecords('example.com', 'www', 'A');
    if (record === undefined) throw new Error('www.example.com must exist');
    recorder.calls.length = 0;
    const same = await dns.pointRecord({
      domain: 'example.com',
      rr: 'www',
      type: 'A',
      value: record.value,
      ttl: record.ttl,
    });
    expect(same).toEqual(record);
    expect(recorder.actions('UpdateDomainRecord')).toEqual([]);
  });

  it('(the trap it avoids) UpdateDomainRecord with unchanged values answers DomainRecordDuplicate', async () => {
    const { alidns } = createAliyunClients(env.options);
    const [record] = await env.ports.dns.findRecords('example.com', 'www', 'A');
    if (record === undefined) throw new Error('www.example.com must exist');
    const error = await alidns
      .updateDomainRecord(record.recordId, {
        rr: 'www',
        type: 'A',
        value: record.value,
        ttl: record.ttl,
      })
      .catch((e: unknown) => e);
    expect((error as AliyunApiError).cloudCode).toBe('DomainRecordDuplicate');
  });
});
