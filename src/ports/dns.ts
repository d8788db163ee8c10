/**
 * DNS records as drainctl needs them for a cutover: find the record, point it (value and TTL)
 * idempotently, read it back, and name the zone's authoritative servers so a cutover can be
 * confirmed by resolution as well as through the API.
 */

export interface DnsRecord {
  recordId: string;
  domain: string;
  /** Host record: `www`, `@`. */
  rr: string;
  type: string;
  value: string;
  ttl: number;
  line: string;
  status: 'ENABLE' | 'DISABLE';
  locked: boolean;
}

export interface PointRecordRequest {
  domain: string;
  rr: string;
  type: string;
  value: string;
  ttl: number;
  line?: string;
  /** Update this record; without it the record is found by domain/rr/type or added. */
  recordId?: string;
}

export interface Dns {
  findRecords(domain: string, rr: string, type?: string): Promise<DnsRecord[]>;
  getRecord(recordId: string): Promise<DnsRecord>;
  /**
   * Make the record hold `value` with `ttl`. Safe to repeat: an unchanged record is success
   * (Alidns answers DomainRecordDuplicate for that; the adapter reads back instead).
   */
  pointRecord(request: PointRecordRequest): Promise<DnsRecord>;
  /** Smallest TTL the domain's edition allows (600 on free editions). */
  minimumTtl(domain: string): Promise<number>;
  /** Authoritative name servers of the zone, as `host` or `host:port`. */
  nameServers(domain: string): Promise<string[]>;
}

/** Resolution against a given name server: confirms what resolvers will be told. */
export interface DnsResolver {
  resolve(name: string, type: 'A' | 'AAAA' | 'CNAME', server: string): Promise<string[]>;
}
