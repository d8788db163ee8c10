/**
 * Which clients a set of `ignoreCidrs` leaves counted, per address family. A family's clients are
 * the addresses a request can come from: not "this network" (0.0.0.0/8, ::), loopback
 * (127.0.0.0/8, ::1: nothing reaches a server through the balancer from there), multicast and
 * reserved space (224.0.0.0/3, ff00::/8). IPv4-mapped IPv6 addresses (::ffff:0:0/96) are IPv4
 * clients; IPv6 ranges reaching into them count for IPv4 too (see ipv4Part).
 */
import { ipv4Part, type ParsedCidr, parseCidr } from '../cidr.js';

export type AddressFamily = 4 | 6;

/** Inclusive [first, last] addresses as integers. */
type Interval = readonly [bigint, bigint];

const NOT_CLIENTS: Record<AddressFamily, readonly string[]> = {
  4: ['0.0.0.0/8', '127.0.0.0/8', '224.0.0.0/3'],
  6: ['::/128', '::1/128', '::ffff:0:0/96', 'ff00::/8'],
};

const BITS: Record<AddressFamily, number> = { 4: 32, 6: 128 };

/** Where clients of `family` never come from, as ranges: shown when explaining a refusal. */
export function notClientRanges(family: AddressFamily): readonly string[] {
  return NOT_CLIENTS[family];
}

/**
 * The lowest client address of `family` in none of `cidrs` (text as the schema accepts it; a
 * bare address is one host, entries that do not parse are left to the schema), or undefined
 * when they cover every client of that family.
 */
export function clientNoRangeHolds(
  cidrs: readonly string[],
  family: AddressFamily,
): string | undefined {
  const covered = [...NOT_CLIENTS[family], ...cidrs].flatMap((text) => {
    const range = parseCidr(text, { bareAddress: true });
    const interval = range === undefined ? undefined : intervalOf(range, family);
    return interval === undefined ? [] : [interval];
  });
  const gap = firstGap(covered, (1n << BigInt(BITS[family])) - 1n);
  return gap === undefined ? undefined : formatAddress(gap, family);
}

function intervalOf(range: ParsedCidr, family: AddressFamily): Interval | undefined {
  if (family === 4) {
    const v4 = ipv4Part(range);
    if (v4 === undefined) return undefined;
    const first = BigInt(v4.base);
    return [first, first + (1n << BigInt(32 - v4.prefix)) - 1n];
  }
  if (range.version !== 6) return undefined;
  let value = 0n;
  for (const byte of range.bytes) value = (value << 8n) | BigInt(byte);
  const size = 1n << BigInt(128 - range.prefix);
  const first = value - (value % size);
  return [first, first + size - 1n];
}

/** The lowest integer in [0, last] no interval holds. */
function firstGap(intervals: Interval[], last: bigint): bigint | undefined {
  let next = 0n;
  for (const [first, end] of [...intervals].sort((a, b) =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0,
  )) {
    if (first > next) return next;
    if (end + 1n > next) next = end + 1n;
  }
  return next <= last ? next : undefined;
}

function formatAddress(value: bigint, family: AddressFamily): string {
  const parts: string[] = [];
  if (family === 4) {
    for (let shift = 24n; shift >= 0n; shift -= 8n) parts.push(String((value >> shift) & 0xffn));
    return parts.join('.');
  }
  for (let shift = 112n; shift >= 0n; shift -= 16n) {
    parts.push(((value >> shift) & 0xffffn).toString(16));
  }
  return parts.join(':');
}
