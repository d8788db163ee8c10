/**
 * pointRecord under retries: AddDomainRecord is not resent blindly, so after each failure the
 * record is read back. A DomainRecordDuplicate in the LAST round is read back too: if the record
 * holds what was asked (ours: a change whose answer was lost), pointing succeeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AliyunApiError } from '#src/adapters/aliyun/transport/cloud-error.js';
import { type AliyunTestEnv, startAliyunEnv } from '#support/emulator-adapters.js';

let env: AliyunTestEnv;
beforeAll(async () => {
  env = await startAliyunEnv();
});
afterAll(async () => {
  await env?.emu.close();
});

const records = (rr: string) => env.emu.state().records.filter((r) => r.rr === rr);

describe('AddDomainRecord answered DomainRecordDuplicate in the last round', () => {
  it('succeeds when the record read back is ours', async () => {
    env.emu.injectFault({
      kind: 'api-error',
      action: 'AddDomainRecord',
      code: 'InternalError',
      count: 2,
    });
    // Third and last round: the add takes effect, the answer says Duplicate.
    env.emu.injectFault({
      kind: 'api-error',
      action: 'AddDomainRecord',
      code: 'DomainRecordDuplicate',
      afterApply: true,
    });
    const record = await env.ports.dns.pointRecord({
      domain: 'example.com',
      rr: 'api',
      type: 'A',
      value: '127.0.0.9',
      ttl: 600,
    });
    expect(record).toMatchObject({ rr: 'api', type: 'A', value: '127.0.0.9', ttl: 600 });
    expect(records('api')).toHaveLength(1);
  });

  it('still fails when nothing of ours is there', async () => {
    env.emu.clearFaults();
    env.emu.injectFault({
      kind: 'api-error',
      action: 'AddDomainRecord',
      code: 'InternalError',
      count: 2,
    });
    env.emu.injectFault({
      kind: 'api-error',
      action: 'AddDomainRecord',
      code: 'DomainRecordDuplicate',
    });
    const error = await env.ports.dns
      .pointRecord({ domain: 'example.com', rr: 'api2', type: 'A', value: '127.0.0.9', ttl: 600 })
      .catch((e: unknown) => e);
    expect((error as AliyunApiError).cloudCode).toBe('DomainRecordDuplicate');
    expect(records('api2')).toHaveLength(0);
  });
});
