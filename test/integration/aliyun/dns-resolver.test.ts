/**
 * The DnsResolver asks one given name server directly: here the emulator's authoritative DNS
 * server (UDP on loopback), as a cutover is confirmed against a zone's name servers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsServer } from '#mocks/world/dns/dns-server.js';
import { createDnsResolver } from '#src/adapters/local/dns-resolver.js';
import { DrainctlError } from '#src/errors/index.js';
import { useAliyunEnv } from '#support/emulator-adapters.js';

let server: DnsServer;
const resolver = createDnsResolver({ timeoutMs: 500, tries: 1 });

beforeAll(async () => {
  server = new DnsServer((error) => {
    throw error;
  });
  await server.start('127.0.0.1');
  server.setRecords(
    [
      { name: 'www.example.com', type: 'A', value: '127.0.0.101', ttl: 1 },
      { name: 'api.example.com', type: 'CNAME', value: 'www.example.com', ttl: 60 },
    ],
    ['example.com'],
  );
});
afterAll(async () => {
  await server?.close();
});

describe('DnsResolver against one name server', () => {
  it('resolves A and CNAME records from "host:port"', async () => {
    expect(await resolver.resolve('www.example.com', 'A', server.endpoint)).toEqual([
      '127.0.0.101',
    ]);
    expect(await resolver.resolve('api.example.com', 'CNAME', server.endpoint)).toEqual([
      'www.example.com',
    ]);
  });

  it('answers an empty list for a name or type the zone does not have', async () => {
    expect(await resolver.resolve('nope.example.com', 'A', server.endpoint)).toEqual([]);
    expect(await resolver.resolve('www.example.com', 'AAAA', server.endpoint)).toEqual([]);
  });

  it('fails with DNS_RESOLUTION_FAILED when the server does not answer', async () => {
    // A port nothing listens on: the query times out (or is refused) instead of answering.
    const silent = `127.0.0.1:${Number(server.endpoint.split(':')[1]) === 9 ? 10 : 9}`;
    const error = await resolver.resolve('www.example.com', 'A', silent).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrainctlError);
    expect((error as DrainctlError).code).toBe('DNS_RESOLUTION_FAILED');
  });
});

describe('a cutover confirmed by resolution', () => {
  const env = useAliyunEnv();

  it("after pointRecord, the zone's name servers answer the new value", async () => {
    const { dns, resolver } = env().ports;
    await dns.pointRecord({
      domain: 'example.com',
      rr: 'www',
      type: 'A',
      value: '127.0.0.99',
      ttl: 1,
    });
    const [nameServer] = await dns.nameServers('example.com');
    if (nameServer === undefined) throw new Error('the emulator names no name server');
    expect(await resolver.resolve('www.example.com', 'A', nameServer)).toEqual(['127.0.0.99']);
  });
});
