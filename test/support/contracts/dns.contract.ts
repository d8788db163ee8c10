/**
 * The Dns port's contract: what the engine may rely on, whichever implementation it talks to
 * (Alidns on the emulator, the in-memory world). Cases an implementation cannot pass go in
 * `skip` with the reason.
 */
import { describe, expect, it } from 'vitest';
import { DrainctlError } from '#src/errors/index.js';
import type { Dns } from '#src/ports/index.js';

export type DnsCase = 'find' | 'point' | 'point-repeat' | 'add' | 'edition' | 'unknown-domain';

export interface DnsSubject {
  dns: Dns;
  domain: string;
  /** An existing A record's host record, and a value it may be pointed at. */
  rr: string;
  otherValue: string;
  /** A host record that does not exist yet (each run of the suite gets its own). */
  newRr: string;
}

export function dnsContract(
  name: string,
  subject: () => DnsSubject,
  skip: Partial<Record<DnsCase, string>> = {},
): void {
  const test = (id: DnsCase, title: string, body: () => Promise<void>) => {
    const reason = skip[id];
    if (reason === undefined) it(title, body);
    else it.skip(`${title} (skipped: ${reason})`, body);
  };

  describe(`Dns contract: ${name}`, () => {
    test(
      'find',
      'findRecords finds exactly the host record, getRecord reads it by id',
      async () => {
        const { dns, domain, rr } = subject();
        const [record, ...more] = await dns.findRecords(domain, rr, 'A');
        expect(more).toEqual([]);
        expect(record).toMatchObject({ domain, rr, type: 'A', status: 'ENABLE' });
        expect(typeof record?.ttl).toBe('number');
        expect(await dns.getRecord(record?.recordId ?? '')).toEqual(record);
        expect(await dns.findRecords(domain, `${rr}-absent`, 'A')).toEqual([]);
      },
    );

    test(
      'point',
      'pointRecord changes value and TTL and reads back; pointing back restores',
      async () => {
        const { dns, domain, rr, otherValue } = subject();
        const [before] = await dns.findRecords(domain, rr, 'A');
        if (before === undefined) throw new Error(`${rr}.${domain} must exist`);
        const ttl = Math.max(await dns.minimumTtl(domain), 60);
        const after = await dns.pointRecord({ domain, rr, type: 'A', value: otherValue, ttl });
        expect(after).toMatchObject({ recordId: before.recordId, value: otherValue, ttl });
        expect(await dns.getRecord(before.recordId)).toMatchObject({ value: otherValue, ttl });
        const restored = await dns.pointRecord({
          domain,
          rr,
          type: 'A',
          value: before.value,
          ttl: before.ttl,
          recordId: before.recordId,
        });
        expect(restored).toMatchObject({ value: before.value, ttl: before.ttl });
      },
    );

    test(
      'point-repeat',
      'pointing a record at what it already holds succeeds and changes nothing',
      async () => {
        const { dns, domain, rr } = subject();
        const [before] = await dns.findRecords(domain, rr, 'A');
        if (before === undefined) throw new Error(`${rr}.${domain} must exist`);
        const same = { domain, rr, type: 'A', value: before.value, ttl: before.ttl };
        expect(await dns.pointRecord(same)).toEqual(before);
        expect(await dns.pointRecord({ ...same, recordId: before.recordId })).toEqual(before);
      },
    );

    test('add', 'pointRecord adds a record that does not exist', async () => {
      const { dns, domain, newRr, otherValue } = subject();
      const ttl = Math.max(await dns.minimumTtl(domain), 60);
      const added = await dns.pointRecord({ domain, rr: newRr, type: 'A', value: otherValue, ttl });
      expect(added).toMatchObject({ rr: newRr, value: otherValue, ttl });
      expect(await dns.findRecords(domain, newRr, 'A')).toEqual([added]);
    });

    test('edition', 'minimumTtl and nameServers describe the zone', async () => {
      const { dns, domain } = subject();
      const minimum = await dns.minimumTtl(domain);
      expect(Number.isInteger(minimum) && minimum >= 1 && minimum <= 600).toBe(true);
      const servers = await dns.nameServers(domain);
      expect(servers.length).toBeGreaterThan(0);
      for (const server of servers) expect(server).toMatch(/^[\w.[\]:-]+$/);
    });

    test('unknown-domain', 'a domain outside the account is DNS_DOMAIN_NOT_FOUND', async () => {
      const error = await subject()
        .dns.minimumTtl('no-such-zone-for-drainctl.example')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DrainctlError);
      expect((error as DrainctlError).code).toBe('DNS_DOMAIN_NOT_FOUND');
    });
  });
}
