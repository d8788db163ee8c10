/**
 * Alidns (2015-01-09) calls drainctl makes, through the official `@alicloud/alidns20150109`
 * SDK, under the retry policy, with answers parsed into our own types. The SDK has already
 * mapped the wire names to its model's camelCase fields (RR and TTL keep their case).
 */
import { z } from 'zod';
import type { DnsRecord } from '../../../ports/index.js';
import type { AliyunSession } from '../session.js';
import type { CloudCaller } from '../transport/cloud-call.js';
import { parseResponse, wireNumber, wireString, wireSwitch } from '../transport/wire.js';
import { Alidns, AlidnsClient, type AlidnsClientConfig } from './alidns-sdk.js';

/** DescribeDomainRecords' page size limit. */
const PAGE_SIZE = 500;

const record = z
  .object({
    recordId: wireString,
    domainName: z.string(),
    RR: z.string(),
    type: z.string(),
    value: z.string(),
    TTL: wireNumber,
    line: z.string().optional(),
    status: z.string().optional(),
    locked: wireSwitch.optional(),
  })
  .transform(
    (r): DnsRecord => ({
      recordId: r.recordId,
      domain: r.domainName,
      rr: r.RR,
      type: r.type,
      value: r.value,
      ttl: r.TTL,
      line: r.line ?? 'default',
      status: r.status?.toUpperCase() === 'DISABLE' ? 'DISABLE' : 'ENABLE',
      locked: r.locked ?? false,
    }),
  );

const recordPage = z.object({
  totalCount: wireNumber.optional(),
  domainRecords: z.object({ record: z.array(record).nullish() }).nullish(),
});

const recordIdAnswer = z.object({ recordId: wireString });

const domainInfo = z
  .object({
    domainName: z.string().optional(),
    minTtl: wireNumber.optional(),
    versionCode: z.string().optional(),
    versionName: z.string().optional(),
    dnsServers: z.object({ dnsServer: z.array(z.string()).nullish() }).nullish(),
  })
  .transform((d) => ({
    minTtl: d.minTtl,
    versionCode: d.versionCode,
    versionName: d.versionName,
    dnsServers: d.dnsServers?.dnsServer ?? [],
  }));
export type AlidnsDomainInfo = z.output<typeof domainInfo>;

export interface RecordChange {
  rr: string;
  type: string;
  value: string;
  ttl: number;
  line?: string;
}

/** The Alidns calls of one session (credential, retry policy). */
export function createAlidnsApi(session: AliyunSession): AlidnsApi {
  return new AlidnsApi(
    new AlidnsClient(session.clientSettings('alidns') as unknown as AlidnsClientConfig),
    session.caller('alidns'),
  );
}

export class AlidnsApi {
  constructor(
    private readonly sdk: AlidnsClient,
    private readonly caller: CloudCaller,
  ) {}

  /** Every record of `domain` whose host record contains `rr` (the API matches loosely). */
  async describeDomainRecords(domain: string, rr: string, type?: string): Promise<DnsRecord[]> {
    const out: DnsRecord[] = [];
    for (let page = 1; ; page++) {
      const response = await this.caller.call(
        { action: 'DescribeDomainRecords', idempotent: true },
        () =>
          this.sdk.describeDomainRecords(
            new Alidns.DescribeDomainRecordsRequest({
              domainName: domain,
              RRKeyWord: rr,
              type,
              pageNumber: page,
              pageSize: PAGE_SIZE,
            }),
          ),
      );
      const body = parseResponse('alidns', 'DescribeDomainRecords', recordPage, response.body);
      const records = body.domainRecords?.record ?? [];
      out.push(...records);
      if (records.length < PAGE_SIZE || out.length >= (body.totalCount ?? 0)) return out;
    }
  }

  async describeDomainRecordInfo(recordId: string): Promise<DnsRecord> {
    const response = await this.caller.call(
      { action: 'DescribeDomainRecordInfo', idempotent: true },
      () =>
        this.sdk.describeDomainRecordInfo(new Alidns.DescribeDomainRecordInfoRequest({ recordId })),
    );
    return parseResponse('alidns', 'DescribeDomainRecordInfo', record, response.body);
  }

  /**
   * Not resent after an ambiguous failure: the adapter reads the record back and decides.
   * Unchanged values answer DomainRecordDuplicate (docs/aliyun.md, "Error bodies and codes").
   */
  async updateDomainRecord(recordId: string, change: RecordChange): Promise<string> {
    const response = await this.caller.call(
      { action: 'UpdateDomainRecord', idempotent: false },
      () =>
        this.sdk.updateDomainRecord(
          new Alidns.UpdateDomainRecordRequest({
            recordId,
            RR: change.rr,
            type: change.type,
            value: change.value,
            TTL: change.ttl,
            line: change.line,
          }),
        ),
    );
    return parseResponse('alidns', 'UpdateDomainRecord', recordIdAnswer, response.body).recordId;
  }

  async addDomainRecord(domain: string, change: RecordChange): Promise<string> {
    const response = await this.caller.call({ action: 'AddDomainRecord', idempotent: false }, () =>
      this.sdk.addDomainRecord(
        new Alidns.AddDomainRecordRequest({
          domainName: domain,
          RR: change.rr,
          type: change.type,
          value: change.value,
          TTL: change.ttl,
          line: change.line,
        }),
      ),
    );
    return parseResponse('alidns', 'AddDomainRecord', recordIdAnswer, response.body).recordId;
  }

  async describeDomainInfo(domain: string): Promise<AlidnsDomainInfo> {
    const response = await this.caller.call(
      { action: 'DescribeDomainInfo', idempotent: true },
      () =>
        this.sdk.describeDomainInfo(
          new Alidns.DescribeDomainInfoRequest({ domainName: domain, needDetailAttributes: true }),
        ),
    );
    return parseResponse('alidns', 'DescribeDomainInfo', domainInfo, response.body);
  }
}
