/**
 * CIDR ranges and the test "is this address in one of them", done on the bytes of a log line so
 * the hot path of the tailer never builds a string for an IPv4 address.
 */
import { isIP } from 'node:net';
import { InvalidInputError } from '../../errors/index.js';

/** The range Alibaba Cloud's SLB health checkers (and layer-7 proxies) send from. */
export const SLB_HEALTH_CHECK_CIDR = '100.64.0.0/10';

interface Ipv4Range {
  base: number;
  mask: number;
}

interface Ipv6Range {
  bytes: Uint8Array;
  prefix: number;
}

/** A parsed set of CIDR ranges, IPv4 and IPv6. */
export class CidrSet {
  private readonly v4: Ipv4Range[] = [];
  private readonly v6: Ipv6Range[] = [];

  /** Throws InvalidInputError naming the bad entry. */
  constructor(
    readonly cidrs: readonly string[],
    where: { path?: string; file?: string } = {},
  ) {
    for (const cidr of cidrs) {
      const parsed = parseCidr(cidr);
      if (parsed === undefined) {
        throw new InvalidInputError(`${JSON.stringify(cidr)} is not a CIDR range`, {
          ...where,
          expected: 'an IPv4 or IPv6 CIDR such as 100.64.0.0/10 or 10.0.0.5',
          found: cidr,
        });
      }
      if ('mask' in parsed) this.v4.push(parsed);
      else this.v6.push(parsed);
    }
  }

  get size(): number {
    return this.v4.length + this.v6.length;
  }

  /** Whether the address written in `buf[start, end)` is in the set. Malformed → false. */
  matchBytes(buf: Uint8Array, start: number, end: number): boolean {
    if (this.size === 0 || start >= end) return false;
    const v4 = ipv4FromBytes(buf, start, end);
    if (v4 >= 0) return this.matchV4(v4);
    // Rare path (IPv6, or malformed): worth a string.
    return this.matchString(
      Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1'),
    );
  }

  matchString(address: string): boolean {
    const v4 = ipv4FromString(address);
    if (v4 >= 0) return this.matchV4(v4);
    const v6 = ipv6Bytes(address);
    if (v6 === undefined) return false;
    // IPv4-mapped IPv6 (::ffff:a.b.c.d), as `ss` and dual-stack sockets print them.
    if (isV4Mapped(v6)) {
      return this.matchV4(
        (((v6[12] ?? 0) << 24) | ((v6[13] ?? 0) << 16) | ((v6[14] ?? 0) << 8) | (v6[15] ?? 0)) >>>
          0,
      );
    }
    return this.v6.some((range) => prefixEquals(range.bytes, v6, range.prefix));
  }

  private matchV4(address: number): boolean {
    for (const range of this.v4) {
      if ((address & range.mask) >>> 0 === range.base) return true;
    }
    return false;
  }
}

/** Parse `a.b.c.d/n`, `a.b.c.d` (a /32), or IPv6 with an optional prefix; undefined when invalid. */
export function parseCidr(text: string): Ipv4Range | Ipv6Range | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text.trim() : text.slice(0, slash).trim();
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1).trim();
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const kind = isIP(address);
  if (kind === 4) {
    const prefix = prefixText === undefined ? 32 : Number(prefixText);
    if (prefix > 32) return undefined;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return { base: (ipv4FromString(address) & mask) >>> 0, mask };
  }
  if (kind === 6) {
    const prefix = prefixText === undefined ? 128 : Number(prefixText);
    if (prefix > 128) return undefined;
    const bytes = ipv6Bytes(address);
    return bytes === undefined ? undefined : { bytes, prefix };
  }
  return undefined;
}

/** Dotted quad in `buf[start, end)` as an unsigned 32-bit number, or -1. No allocation. */
export function ipv4FromBytes(buf: Uint8Array, start: number, end: number): number {
  let value = 0;
  let octet = -1;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i] ?? 0;
    if (c >= 48 && c <= 57) {
      octet = octet < 0 ? c - 48 : octet * 10 + (c - 48);
      if (octet > 255) return -1;
    } else if (c === 46) {
      if (octet < 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = -1;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || octet < 0) return -1;
  return value * 256 + octet;
}

function ipv4FromString(text: string): number {
  if (text.length > 15) return -1;
  return ipv4FromBytes(Buffer.from(text, 'latin1'), 0, text.length);
}

function ipv6Bytes(text: string): Uint8Array | undefined {
  const zone = text.indexOf('%');
  const address = zone < 0 ? text : text.slice(0, zone);
  if (isIP(address) !== 6) return undefined;
  let head = address;
  const tailBytes: number[] = [];
  const lastColon = address.lastIndexOf(':');
  const maybeV4 = address.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = ipv4FromString(maybeV4);
    if (v4 < 0) return undefined;
    tailBytes.push((v4 >>> 24) & 255, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255);
    head = `${address.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = [
    ...leftGroups,
    ...(right === undefined ? [] : Array<string>(missing).fill('0')),
    ...rightGroups,
  ];
  if (groups.length !== 8) return undefined;
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    const value = Number.parseInt(group, 16);
    bytes[index * 2] = (value >> 8) & 255;
    bytes[index * 2 + 1] = value & 255;
  });
  if (tailBytes.length === 4) bytes.set(tailBytes, 12);
  return bytes;
}

function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

function prefixEquals(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  const whole = prefix >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[whole] ?? 0) & mask) === ((b[whole] ?? 0) & mask);
}
