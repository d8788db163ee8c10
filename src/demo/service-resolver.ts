/**
 * Looking a name up the way the demo's clients do: against the zone's authoritative server,
 * keeping the TTL it answered with.
 */
import { Resolver } from 'node:dns/promises';
import type { ServiceAddress } from './load-generator.js';

/** Resolves A records against one server ("host:port"). */
export function serviceResolver(server: string): (name: string) => Promise<ServiceAddress> {
  const resolver = new Resolver({ timeout: 1000, tries: 2 });
  resolver.setServers([server]);
  return async (name) => {
    const [first] = await resolver.resolve4(name, { ttl: true });
    if (first === undefined) throw new Error(`${name}: no A record`);
    return { address: first.address, ttlSeconds: first.ttl };
  };
}
