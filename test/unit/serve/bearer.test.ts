/**
 * Bearer tokens: only the hash is kept; a presented token is hashed and compared with every
 * configured hash in constant time, whichever matches and whether any does.
 */
import { timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authenticate } from '#src/serve/auth/bearer.js';
import { mayDo } from '#src/serve/auth/roles.js';
import { type ApiToken, sha256Of } from '#src/serve/config/index.js';

const tokens: ApiToken[] = [
  { name: 'ops', role: 'operator', sha256: sha256Of('ops-token-0123456789') },
  { name: 'ro', role: 'viewer', sha256: sha256Of('ro-token-0123456789') },
  { name: 'boss', role: 'approver', sha256: sha256Of('boss-token-0123456789') },
];

describe('authenticate', () => {
  it.each([
    ['Bearer ops-token-0123456789', 'ops'],
    ['bearer   boss-token-0123456789', 'boss'],
    ['Bearer ro-token-0123456789x', undefined],
    ['Basic ops-token-0123456789', undefined],
    ['ops-token-0123456789', undefined],
    [undefined, undefined],
  ])('%s → %s', (header, name) => {
    expect(authenticate(header, tokens)?.name).toBe(name);
  });

  it.each([
    ['the first token', 'Bearer ops-token-0123456789'],
    ['the last token', 'Bearer boss-token-0123456789'],
    ['no token', 'Bearer wrong'],
  ])('compares with every token, in constant time, when the header is %s', (_what, header) => {
    const compared: Array<[number, number]> = [];
    authenticate(header, tokens, (a, b) => {
      compared.push([a.length, b.length]);
      return timingSafeEqual(a, b);
    });
    expect(compared).toEqual([
      [32, 32],
      [32, 32],
      [32, 32],
    ]);
  });
});

describe('roles', () => {
  it.each([
    ['viewer', 'read', true],
    ['viewer', 'operate', false],
    ['viewer', 'approve', false],
    ['operator', 'read', true],
    ['operator', 'operate', true],
    ['operator', 'approve', false],
    ['approver', 'read', true],
    ['approver', 'operate', false],
    ['approver', 'approve', true],
  ] as const)('%s may %s: %s', (role, permission, allowed) => {
    expect(mayDo(role, permission)).toBe(allowed);
  });
});
