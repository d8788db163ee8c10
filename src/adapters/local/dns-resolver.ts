/**
 * DnsResolver with Node's resolver, asking one given name server directly (not the system's
 * resolver, not a cache): what the zone's authoritative servers answer is what resolvers will
 * be told once TTLs expire. Servers are "host" or "host:port" (IPv6 as "[::1]:53"); a host
 * name is looked up first because the resolver only takes addresses.
 */
import { lookup, Resolver } from 'node:dns/promises';
import { DrainctlError } from '../../errors/index.js';
import type { DnsResolver } from '../../ports/index.js';
import { isIpv4, isIpv6 } from '../../workflow/cidr.js';

/** Per query; resolution is a confirmation, so a slow server is a failed check, not a wait. */
const QUERY_TIMEOUT_MS = 3_000;
const QUERY_TRIES = 2;

/** Answers that mean "no such record", which is an empty list, not an error. */
const EMPTY_ANSWERS = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

export function createDnsResolver(
  options: { timeoutMs?: number; tries?: number } = {},
): DnsResolver {
  return {
    async resolve(name, type, server) {
      const resolver = new Resolver({
        timeout: options.timeoutMs ?? QUERY_TIMEOUT_MS,
        tries: options.tries ?? QUERY_TRIES,
      });
      resolver.setServers([await serverAddress(server)]);
      try {
        switch (type) {
          case 'A':
            return await resolver.resolve4(name);
          case 'AAAA':
            return await resolver.resolve6(name);
          case 'CNAME':
            return await resolver.resolveCname(name);
        }
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== undefined && EMPTY_ANSWERS.has(code)) return [];
        throw new DrainctlError(
          'DNS_RESOLUTION_FAILED',
          `${type} ${name} @${server}: ${code ?? (error as Error).message}`,
          { cause: error, retryable: true },
        );
      }
    },
  };
}

/** "ns1.example.com:5353" → "192.0.2.1:5353"; "127.0.0.53:5300" stays; "[::1]:53" stays. */
export async function serverAddress(server: string): Promise<string> {
  const { host, port } = splitHostPort(server);
  const address = isIpv4(host) || isIpv6(host) ? host : (await lookup(host)).address;
  const shown = isIpv6(address) ? `[${address}]` : address;
  return port === undefined ? shown : `${shown}:${port}`;
}

export function splitHostPort(server: string): { host: string; port: number | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (bracketed) {
    return { host: bracketed[1] ?? '', port: bracketed[2] ? Number(bracketed[2]) : undefined };
  }
  const colons = server.split(':').length - 1;
  if (colons === 1) {
    const [host = '', port = ''] = server.split(':');
    return { host, port: Number(port) };
  }
  // A bare IPv6 address (several colons) or a bare host.
  return { host: server, port: undefined };
}
