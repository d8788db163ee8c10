/**
 * `Authorization: Bearer TOKEN` → the configured token it is, if any. Only hashes are kept; the
 * presented token is hashed and compared with every configured hash in constant time, without
 * stopping at a match, so neither which token matched nor how much of it did shows in the time
 * an answer takes.
 */
import { timingSafeEqual } from 'node:crypto';
import { type ApiToken, sha256Of } from '../config/index.js';

const BEARER = /^Bearer[ ]+(\S+)\s*$/i;

export function authenticate(
  header: string | undefined,
  tokens: readonly ApiToken[],
  /** The comparison; a test passes a counting one. */
  equal: (a: Buffer, b: Buffer) => boolean = timingSafeEqual,
): ApiToken | undefined {
  const presented = header === undefined ? undefined : BEARER.exec(header)?.[1];
  if (presented === undefined) return undefined;
  const hash = sha256Of(presented);
  let found: ApiToken | undefined;
  for (const token of tokens) {
    // Both sides are 32-byte digests, so timingSafeEqual never throws on length.
    if (equal(hash, token.sha256) && found === undefined) found = token;
  }
  return found;
}
