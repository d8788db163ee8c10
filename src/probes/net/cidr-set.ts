/**
 * CIDR ranges and the test "is this address in one of them", done on the bytes of a log line so
 * the hot path of the tailer never builds a string for an IPv4 address. The text of the ranges
 * is read by the one parser, src/workflow/cidr.ts.
 */
import { InvalidInputError } from '../../errors/index.js';
import {
  type Ipv4Cidr,
  ipv4Number,
  ipv4Part,
  ipv6Bytes as ipv6BytesOf,
  parseCidr,
  prefixEquals,
  SLB_SOURCE_CIDR,
} from '../../workflow/cidr.js';

/** The range Alibaba Cloud's SLB health checkers (and layer-7 proxies) send from. */
export const SLB_HEALTH_CHECK_CIDR = SLB_SOURCE_CIDR;

interface Ipv6Range {
  bytes: Uint8Array;
  prefix: number;
}

/**
 * A parsed set of CIDR ranges, IPv4 and IPv6. An IPv4 address and its IPv4-mapped IPv6 form are
 * one client: both are matched against the IPv4 ranges, which include what IPv6 ranges reaching
 * into `::ffff:0:0/96` hold.
 */
export class CidrSet {
  private readonly v4: Ipv4Cidr[] = [];
  private readonly v6: Ipv6Range[] = [];

  /** Throws InvalidInputError naming the bad entry. A bare address is one host. */
  constructor(
    readonly cidrs: readonly string[],
    where: { path?: string; file?: string } = {},
  ) {
    for (const cidr of cidrs) {
      const parsed = parseCidr(cidr, { bareAddress: true });
      if (parsed === undefined) {
        throw new InvalidInputError(`${JSON.stringify(cidr)} is not a CIDR range`, {
          ...where,
          expected: 'an IPv4 or IPv6 CIDR such as 100.64.0.0/10 or 10.0.0.5',
          found: cidr,
        });
      }
      const v4 = ipv4Part(parsed);
      if (v4 !== undefined) this.v4.push(v4);
      if (parsed.version === 6) this.v6.push(parsed);
    }
  }

  get size(): number {
    return this.cidrs.length;
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
    const v4 = ipv4Number(address);
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

/** An address as written in a log or by `ss`: a zone id (`%eth0`) is dropped. */
function ipv6Bytes(text: string): Uint8Array | undefined {
  const zone = text.indexOf('%');
  return ipv6BytesOf(zone < 0 ? text : text.slice(0, zone));
}

function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}
