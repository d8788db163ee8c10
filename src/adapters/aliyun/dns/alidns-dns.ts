/**
 * The Dns port on Alidns. Pointing a record is read-before-write and safe to repeat: an
 * unchanged record is left alone; UpdateDomainRecord is never resent blindly — after a
 * DomainRecordDuplicate or an ambiguous failure the record is read back and that decides.
 */
import { DrainctlError } from '../../../errors/index.js';
import type { Dns, DnsRecord, PointRecordRequest } from '../../../ports/index.js';
import { AliyunApiError } from '../transport/cloud-error.js';
import type { AlidnsApi, RecordChange } from './alidns-client.js';
import { minimumTtlOf } from './minimum-ttl.js';

/** Read → write → read rounds before pointRecord gives up. */
const POINT_ROUNDS = 3;

/** Codes Alidns answers for a record id that does not exist (unconfirmed; kept here). */
const RECORD_NOT_FOUND = new Set([
  'DomainRecordNotBelongToUser',
  'InvalidRecordId.NotFound',
  'InvalidRR.NoExist',
]);
const DOMAIN_NOT_FOUND = new Set(['InvalidDomainName.NoExist', 'DomainNotBelongToUser']);

export class AlidnsDns implements Dns {
  constructor(private readonly api: AlidnsApi) {}

  async findRecords(domain: string, rr: string, type?: string): Promise<DnsRecord[]> {
    const records = await this.domainCall(domain, () =>
      this.api.describeDomainRecords(domain, rr, type),
    );
    // RRKeyWord matches loosely ("www" finds "www2"): keep exact host records only.
    return records.filter(
      (r) =>
        r.rr.toLowerCase() === rr.toLowerCase() &&
        (type === undefined || r.type.toUpperCase() === type.toUpperCase()),
    );
  }

  async getRecord(recordId: string): Promise<DnsRecord> {
    try {
      return await this.api.describeDomainRecordInfo(recordId);
    } catch (error) {
      if (error instanceof AliyunApiError && RECORD_NOT_FOUND.has(error.cloudCode)) {
        throw new DrainctlError('DNS_RECORD_NOT_FOUND', `DNS record ${recordId} does not exist`, {
          hint: 'the record may have been deleted; check the workflow and the Alidns console',
          cause: error,
        });
      }
      throw error;
    }
  }

  async pointRecord(request: PointRecordRequest): Promise<DnsRecord> {
    const change: RecordChange = {
      rr: request.rr,
      type: request.type,
      value: request.value,
      ttl: request.ttl,
      line: request.line ?? 'default',
    };
    for (let round = 1; ; round++) {
      const current = await this.currentRecord(request);
      if (current !== undefined && holds(current, change)) return current;
      try {
        if (current === undefined) await this.api.addDomainRecord(request.domain, change);
        else await this.api.updateDomainRecord(current.recordId, change);
      } catch (error) {
        // DomainRecordDuplicate (unchanged values, or a twin record), a timeout after the
        // request left, a 5xx: only the record itself can say whether the change happened —
        // in the last round too, where a Duplicate is most likely our own earlier add.
        if (!(error instanceof AliyunApiError)) throw error;
        const after = await this.currentRecord(request);
        if (after !== undefined && holds(after, change)) return after;
        // Not in place: only an ambiguous failure proved harmless to resend by that read.
        if (error.failureKind !== 'ambiguous' || round >= POINT_ROUNDS) throw error;
        continue;
      }
      const after = await this.currentRecord(request);
      if (after !== undefined && holds(after, change)) return after;
      if (round >= POINT_ROUNDS) {
        throw new DrainctlError(
          'DNS_RECORD_NOT_UPDATED',
          `${request.rr}.${request.domain} ${request.type} does not read back as ${request.value} (TTL ${request.ttl}) after the update`,
          { retryable: true },
        );
      }
    }
  }

  async minimumTtl(domain: string): Promise<number> {
    return minimumTtlOf(await this.domainCall(domain, () => this.api.describeDomainInfo(domain)));
  }

  async nameServers(domain: string): Promise<string[]> {
    const info = await this.domainCall(domain, () => this.api.describeDomainInfo(domain));
    return info.dnsServers;
  }

  /** The record `request` is about: by id, or the one record of that name, type and line. */
  private async currentRecord(request: PointRecordRequest): Promise<DnsRecord | undefined> {
    if (request.recordId !== undefined) return this.getRecord(request.recordId);
    const line = request.line ?? 'default';
    const matches = (await this.findRecords(request.domain, request.rr, request.type)).filter(
      (r) => r.line === line,
    );
    if (matches.length > 1) {
      throw new DrainctlError(
        'DNS_RECORD_AMBIGUOUS',
        `${request.rr}.${request.domain} has ${matches.length} ${request.type} records on line ${line}: ${matches.map((r) => r.value).join(', ')}`,
        { hint: 'name the record to change with its recordId in the workflow' },
      );
    }
    return matches[0];
  }

  private async domainCall<T>(domain: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof AliyunApiError && DOMAIN_NOT_FOUND.has(error.cloudCode)) {
        throw new DrainctlError(
          'DNS_DOMAIN_NOT_FOUND',
          `domain ${domain} is not managed by Alidns in this account (${error.cloudCode}, RequestId ${error.requestId ?? 'unknown'})`,
          {
            hint: 'check the domain in the workflow and that the credentials belong to its account',
            cause: error,
          },
        );
      }
      throw error;
    }
  }
}

function holds(record: DnsRecord, change: RecordChange): boolean {
  return record.value === change.value && record.ttl === change.ttl && record.type === change.type;
}
