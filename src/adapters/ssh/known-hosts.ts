/**
 * OpenSSH known_hosts: which keys a host may present. Plain and hashed (`|1|salt|hash`) host
 * names, `[host]:port` for other ports, `*`/`?` wildcards, `!` negation and `@revoked` markers.
 * `@cert-authority` lines are not supported (host certificates) and never match.
 */
import { createHash, createHmac } from 'node:crypto';

export interface KnownHostKeys {
  /** Key type (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256` …) and the base64 key blob. */
  keys: Array<{ type: string; blob: string }>;
  /** Keys marked `@revoked`: never accepted, whatever else says. */
  revoked: string[];
}

/** Keys listed for `host` on `port` in the text of a known_hosts file. */
export function knownHostKeys(text: string, host: string, port = 22): KnownHostKeys {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const result: KnownHostKeys = { keys: [], revoked: [] };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: string | undefined;
    if (fields[0]?.startsWith('@')) marker = fields.shift();
    const [hosts, type, blob] = fields;
    if (hosts === undefined || type === undefined || blob === undefined) continue;
    if (marker === '@cert-authority') continue;
    if (!hostsMatch(hosts, name)) continue;
    if (marker === '@revoked') result.revoked.push(blob);
    else result.keys.push({ type, blob });
  }
  return result;
}

function hostsMatch(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (salt === undefined || hash === undefined) return false;
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return digest === hash;
  }
  let matched = false;
  for (const pattern of hosts.split(',')) {
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    if (wildcard(body.toLowerCase(), name.toLowerCase())) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function wildcard(pattern: string, text: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === text;
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(text);
}

/** OpenSSH's fingerprint of a key blob: `SHA256:` + unpadded base64 of its SHA-256. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Host key algorithms to offer for known key types, so the server presents a key we can check. */
export function hostKeyAlgorithmsFor(types: string[]): string[] {
  const out: string[] = [];
  for (const type of types) {
    const algorithms = type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
    for (const algorithm of algorithms) if (!out.includes(algorithm)) out.push(algorithm);
  }
  return out;
}
