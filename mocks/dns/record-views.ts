/**
 * Record shapes of DescribeDomainRecords / DescribeSubDomainRecords items and of
 * DescribeDomainRecordInfo, names and types as the Alidns SDK models declare them.
 */
import type { DnsRecord, Domain } from './store.js';

export function recordView(record: DnsRecord): Record<string, unknown> {
  return {
    RecordId: record.recordId,
    DomainName: record.domainName,
    RR: record.rr,
    Type: record.type,
    Value: record.value,
    TTL: record.ttl,
    Line: record.line,
    Status: record.status,
    Locked: false,
    Weight: 1,
    ...(record.priority !== undefined ? { Priority: record.priority } : {}),
    ...(record.remark !== undefined ? { Remark: record.remark } : {}),
    CreateTimestamp: record.createdAt,
    UpdateTimestamp: record.updatedAt,
  };
}

export function recordInfoView(record: DnsRecord, domain: Domain): Record<string, unknown> {
  const { CreateTimestamp: _c, UpdateTimestamp: _u, Weight: _w, ...flat } = recordView(record);
  return { DomainId: domain.domainId, PunyCode: domain.name, GroupId: '', GroupName: '', ...flat };
}

export function pageOf<T>(items: T[], pageNumber: number, pageSize: number): T[] {
  return items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
}
