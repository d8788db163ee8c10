import { describe, expect, it } from 'vitest';
import { Alidns, useEmulator } from '#support/emulator-sdk.js';
import { FAST } from '#support/emulator-timings.js';
import { expectApiError } from '#support/expect-api-error.js';
import { resolveA } from './resolve-over-udp.js';

describe('Alidns', () => {
  const env = useEmulator({ timings: FAST });

  it('the default record: www.example.com → web-1, TTL 10', async () => {
    const { dns, emu } = env();
    const records = await dns.describeSubDomainRecords(
      new Alidns.DescribeSubDomainRecordsRequest({ subDomain: 'www.example.com' }),
    );
    const web1 = emu.state().instances[0]?.privateIp;
    expect(records.body).toMatchObject({
      totalCount: 1,
      domainRecords: {
        record: [
          {
            RR: 'www',
            type: 'A',
            value: web1,
            TTL: 10,
            line: 'default',
            status: 'ENABLE',
            domainName: 'example.com',
          },
        ],
      },
    });
    const recordId = records.body?.domainRecords?.record?.[0]?.recordId ?? '';
    expect(recordId).toMatch(/^\d+$/);
    const info = await dns.describeDomainRecordInfo(
      new Alidns.DescribeDomainRecordInfoRequest({ recordId }),
    );
    expect(info.body).toMatchObject({
      recordId,
      RR: 'www',
      value: web1,
      TTL: 10,
      domainName: 'example.com',
    });
  });

  it('DescribeDomainInfo: the emulator DNS server as host:port, the edition and its MinTtl', async () => {
    const { dns, emu } = env();
    const info = await dns.describeDomainInfo(
      new Alidns.DescribeDomainInfoRequest({ domainName: 'example.com' }),
    );
    expect(info.body).toMatchObject({
      domainName: 'example.com',
      versionCode: 'version_enterprise_advanced',
      minTtl: 1,
      dnsServers: { dnsServer: [emu.dnsServer] },
    });
    expect(emu.dnsServer).toMatch(/^127\.\d+\.\d+\.53:\d+$/);
    await expectApiError(
      dns.describeDomainInfo(new Alidns.DescribeDomainInfoRequest({ domainName: 'nope.example' })),
      'InvalidDomainName.NoExist',
      400,
    );
  });

  it('the authoritative DNS server answers www.example.com from the records, with their TTL', async () => {
    const { emu } = env();
    const web1 = emu.state().instances[0]?.privateIp;
    const answer = await resolveA(emu.dnsServer, 'www.example.com');
    expect(answer.answers).toEqual([{ name: 'www.example.com', type: 'A', ttl: 10, data: web1 }]);
  });

  it('Add, Update (DomainRecordDuplicate when unchanged), Delete; resolution follows every change', async () => {
    const { dns, emu } = env();
    const added = await dns.addDomainRecord(
      new Alidns.AddDomainRecordRequest({
        domainName: 'example.com',
        RR: 'api',
        type: 'A',
        value: '127.1.2.3',
        TTL: 60,
      }),
    );
    const recordId = added.body?.recordId ?? '';
    const resolved = async () =>
      (await resolveA(emu.dnsServer, 'api.example.com')).answers.map((a) => [a.data, a.ttl]);
    expect(await resolved()).toEqual([['127.1.2.3', 60]]);
    await expectApiError(
      dns.addDomainRecord(
        new Alidns.AddDomainRecordRequest({
          domainName: 'example.com',
          RR: 'api',
          type: 'A',
          value: '127.1.2.3',
          TTL: 60,
        }),
      ),
      'DomainRecordDuplicate',
      400,
    );
    await expectApiError(
      dns.updateDomainRecord(
        new Alidns.UpdateDomainRecordRequest({
          recordId,
          RR: 'api',
          type: 'A',
          value: '127.1.2.3',
          TTL: 60,
        }),
      ),
      'DomainRecordDuplicate',
      400,
    );
    await dns.updateDomainRecord(
      new Alidns.UpdateDomainRecordRequest({
        recordId,
        RR: 'api',
        type: 'A',
        value: '127.1.2.4',
        TTL: 30,
      }),
    );
    expect(await resolved()).toEqual([['127.1.2.4', 30]]);
    await dns.deleteDomainRecord(new Alidns.DeleteDomainRecordRequest({ recordId }));
    expect(await resolveA(emu.dnsServer, 'api.example.com')).toMatchObject({
      rcode: 'NXDOMAIN',
      answers: [],
    });
    await expectApiError(
      dns.deleteDomainRecord(new Alidns.DeleteDomainRecordRequest({ recordId })),
      'DomainRecordNotBelongToUser',
      400,
    );
  });

  it('validation: TTL under the edition minimum, bad values, CNAME clashes', async () => {
    const { dns } = env();
    const add = (fields: Record<string, unknown>) =>
      dns.addDomainRecord(
        new Alidns.AddDomainRecordRequest({
          domainName: 'example.com',
          RR: 'v',
          type: 'A',
          value: '127.0.0.9',
          ...fields,
        }),
      );
    await expectApiError(add({ TTL: 0 }), 'QuotaExceeded.TTL', 400);
    await expectApiError(add({ TTL: 86401 }), 'InvalidParameter', 400);
    await expectApiError(add({ value: '300.1.1.1' }), 'InvalidParameter', 400);
    await expectApiError(add({ type: 'BOGUS' }), 'InvalidParameter', 400);
    await expectApiError(
      add({ RR: 'www', type: 'CNAME', value: 'lb.example.net' }),
      'DomainRecordConflict',
      400,
    );
  });

  it('DescribeDomainRecords pages and filters', async () => {
    const { dns } = env();
    for (const n of [1, 2, 3]) {
      await dns.addDomainRecord(
        new Alidns.AddDomainRecordRequest({
          domainName: 'example.com',
          RR: `page${n}`,
          type: 'TXT',
          value: `v=${n}`,
        }),
      );
    }
    const page = await dns.describeDomainRecords(
      new Alidns.DescribeDomainRecordsRequest({
        domainName: 'example.com',
        RRKeyWord: 'page',
        pageSize: 2,
        pageNumber: 2,
      }),
    );
    expect(page.body).toMatchObject({ totalCount: 3, pageNumber: 2, pageSize: 2 });
    expect(page.body?.domainRecords?.record?.map((r) => r.RR)).toEqual(['page3']);
    expect(page.body?.domainRecords?.record?.[0]?.TTL).toBe(600);
    const typed = await dns.describeDomainRecords(
      new Alidns.DescribeDomainRecordsRequest({ domainName: 'example.com', type: 'A' }),
    );
    expect(typed.body?.domainRecords?.record?.map((r) => r.RR)).toEqual(['www']);
  });
});
