/**
 * Alidns's API state: the topology's domains (with their edition, hence minimum TTL) and their
 * records. Every change is pushed to the world's authoritative DNS server. Resettable.
 */
import type { DnsEdition, Topology } from '../topology/schema.js';
import type { DnsAnswerRecord } from '../world/types.js';
import { DomainRecordNotBelongToUser, InvalidDomainNameNoExist } from './errors.js';

export interface Domain {
  domainId: string;
  name: string;
  edition: DnsEdition;
  createdAt: number;
}

export interface DnsRecord {
  recordId: string;
  domainName: string;
  rr: string;
  type: string;
  value: string;
  ttl: number;
  line: string;
  status: 'ENABLE' | 'DISABLE';
  priority?: number;
  remark?: string;
  createdAt: number;
  updatedAt: number;
}

export class DnsStore {
  readonly domains = new Map<string, Domain>();
  readonly records = new Map<string, DnsRecord>();
  private nextRecordId = 1;

  constructor(
    private readonly topology: Topology,
    private readonly instanceIp: (id: string) => string | undefined,
    private readonly startedAt: number,
  ) {
    this.reset();
  }

  reset(): void {
    this.domains.clear();
    this.records.clear();
    this.nextRecordId = 1;
    this.topology.domains.forEach((domain, index) => {
      this.domains.set(domain.name, {
        domainId: `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
        name: domain.name,
        edition: domain.edition,
        createdAt: this.startedAt,
      });
      for (const record of domain.records) {
        this.add({
          domainName: domain.name,
          rr: record.rr,
          type: record.type,
          value: record.value ?? this.instanceIp(record.instance ?? '') ?? '',
          ttl: record.ttl,
          line: record.line,
          status: 'ENABLE',
          createdAt: this.startedAt,
          updatedAt: this.startedAt,
          ...(record.recordId === undefined ? {} : { recordId: record.recordId }),
        });
      }
    });
  }

  /** A topology may fix a record's id; the ids handed out later never meet it. */
  add(record: Omit<DnsRecord, 'recordId'> & { recordId?: string }): DnsRecord {
    const recordId = record.recordId ?? this.freshRecordId();
    const stored = { ...record, recordId };
    this.records.set(recordId, stored);
    return stored;
  }

  private freshRecordId(): string {
    let recordId = String(1_000_000 + this.nextRecordId);
    while (this.records.has(recordId)) {
      this.nextRecordId += 1;
      recordId = String(1_000_000 + this.nextRecordId);
    }
    this.nextRecordId += 1;
    return recordId;
  }

  domain(name: string): Domain {
    const domain = this.domains.get(name.toLowerCase());
    if (!domain) throw new InvalidDomainNameNoExist();
    return domain;
  }

  record(id: string): DnsRecord {
    const record = this.records.get(id);
    if (!record) throw new DomainRecordNotBelongToUser();
    return record;
  }

  recordsOf(domainName: string): DnsRecord[] {
    return [...this.records.values()].filter((record) => record.domainName === domainName);
  }

  /** The zones the authoritative server answers for (names outside them are REFUSED). */
  zones(): string[] {
    return [...this.domains.keys()];
  }

  /** What the authoritative server answers: enabled records, fully qualified, lower case. */
  answers(): DnsAnswerRecord[] {
    return [...this.records.values()]
      .filter((record) => record.status === 'ENABLE')
      .map((record) => ({
        name: (record.rr === '@'
          ? record.domainName
          : `${record.rr}.${record.domainName}`
        ).toLowerCase(),
        type: record.type,
        value: record.value,
        ttl: record.ttl,
      }));
  }
}
