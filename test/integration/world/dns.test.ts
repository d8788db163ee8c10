import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, startWorld } from '#support/emulated-world.js';

describe('authoritative DNS server', () => {
  let fx: Fixture;
  // A fresh resolver per query: c-ares may cache answers for their TTL within one channel.
  const resolver = () => {
    const r = new Resolver({ timeout: 1000, tries: 1 });
    r.setServers([fx.world.dnsServer]);
    return r;
  };

  beforeAll(async () => {
    fx = await startWorld();
    fx.world.setDnsRecords(
      [
        { name: 'www.example.com', type: 'A', value: `${fx.block}.11`, ttl: 10 },
        { name: 'api.example.com', type: 'CNAME', value: 'www.example.com', ttl: 60 },
        { name: 'example.com', type: 'TXT', value: 'v=spf1 -all', ttl: 600 },
        { name: '*.apps.example.com', type: 'A', value: `${fx.block}.12`, ttl: 30 },
      ],
      ['example.com'],
    );
  });
  afterAll(() => fx.close());

  it('listens on the block .53, port chosen by the OS', () => {
    expect(fx.world.dnsServer).toMatch(new RegExp(`^${fx.block.replace(/\./g, '\\.')}\\.53:\\d+$`));
  });

  it('answers A records with their TTL', async () => {
    expect(await resolver().resolve4('www.example.com', { ttl: true })).toEqual([
      { address: `${fx.block}.11`, ttl: 10 },
    ]);
    expect(await resolver().resolve4('WWW.Example.COM')).toEqual([`${fx.block}.11`]);
  });

  it('follows a CNAME inside the zone, serves TXT and wildcards', async () => {
    expect(await resolver().resolveCname('api.example.com')).toEqual(['www.example.com']);
    expect(await resolver().resolve4('api.example.com')).toEqual([`${fx.block}.11`]);
    expect(await resolver().resolveTxt('example.com')).toEqual([['v=spf1 -all']]);
    expect(await resolver().resolve4('shop.apps.example.com')).toEqual([`${fx.block}.12`]);
  });

  it('answers NXDOMAIN for a missing name in the zone, REFUSED outside it', async () => {
    await expect(resolver().resolve4('nope.example.com')).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
    await expect(resolver().resolve4('www.example.org')).rejects.toMatchObject({
      code: 'EREFUSED',
    });
  });

  it('is authoritative, does not recurse, and gives the SOA on a negative answer', async () => {
    const reply = await rawQuery(fx.world.dnsServer, 'nope.example.com', 'A');
    expect(reply.flag_aa).toBe(true);
    expect(reply.flag_ra).toBe(false);
    expect(reply.rcode).toBe('NXDOMAIN');
    expect(reply.authorities?.[0]).toMatchObject({ type: 'SOA', name: 'example.com' });
    const nodata = await rawQuery(fx.world.dnsServer, 'www.example.com', 'AAAA');
    expect(nodata.rcode).toBe('NOERROR');
    expect(nodata.answers).toEqual([]);
  });

  it('serves a changed record set at once', async () => {
    fx.world.setDnsRecords(
      [{ name: 'www.example.com', type: 'A', value: `${fx.block}.101`, ttl: 5 }],
      ['example.com'],
    );
    expect(await resolver().resolve4('www.example.com', { ttl: true })).toEqual([
      { address: `${fx.block}.101`, ttl: 5 },
    ]);
  });
});

/** dns-packet decodes the rcode, but its type definitions do not declare it. */
type Reply = dnsPacket.DecodedPacket & { rcode: string };

function rawQuery(server: string, name: string, type: 'A' | 'AAAA'): Promise<Reply> {
  const [host, port] = server.split(':') as [string, string];
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('no DNS answer'));
    }, 2000);
    socket.on('message', (message) => {
      clearTimeout(timer);
      socket.close();
      resolve(dnsPacket.decode(message) as Reply);
    });
    socket.send(
      dnsPacket.encode({
        type: 'query',
        id: 7,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type, name }],
      }),
      Number(port),
      host,
    );
  });
}
