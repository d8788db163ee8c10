/**
 * CIDR ranges and the test "is this address in one of them", done on the bytes of a log line so
 * the hot path of the tailer never builds a string for an IPv4 address.
 */
import { InvalidInputError } from '../../errors/index.js';
import {
  ipv4Number,
  ipv6Bytes as ipv6BytesOf,
  parseCidr as parseAnyCidr,
  prefixEquals,
  SLB_SOURCE_CIDR,
} from '../../spec/cidr.js';

/** The range Alibaba Cloud's SLB health checkers (and layer-7 proxies) send from. */
export const SLB_HEALTH_CHECK_CIDR = SLB_SOURCE_CIDR;

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

/**
 * Parse `a.b.c.d/n`, `a.b.c.d` (a /32), or IPv6 with an optional prefix; undefined when invalid.
 * The one parser of src/spec/cidr.ts, shaped for the matchers here.
 */
export function parseCidr(text: string): Ipv4Range | Ipv6Range | undefined {
  const parsed = parseAnyCidr(text.trim(), { bareAddress: true });
  if (parsed === undefined) return undefined;
  return parsed.version === 4
    ? { base: parsed.base, mask: parsed.mask }
    : { bytes: parsed.bytes, prefix: parsed.prefix };
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
  return ipv4Number(text);
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
