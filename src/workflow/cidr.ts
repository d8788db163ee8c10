/**
 * The one parser of IP addresses and CIDR ranges in drainctl: the workflow schema, the planner,
 * `drainctl watch` and the probes' matchers all use it. Pure (no node:net), so the spec may use
 * it: `100.64.0.0/10`, `10.0.0.5/32`, `fd00::/8`, `::ffff:10.0.0.0/104`. Dotted quads with leading
 * zeros (`010.0.0.1`, octal to some tools) and IPv6 zone ids (`fe80::1%eth0`) are not addresses.
 *
 * An IPv4 client and its IPv4-mapped IPv6 form (`::ffff:10.0.0.5`, as dual-stack sockets and `ss`
 * print it) are the same client: an IPv6 range reaching into `::ffff:0:0/96` also holds the IPv4
 * addresses it maps (`ipv4Part`), wherever a range is matched or compared.
 */

const IPV4_OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The range of the SLB's health checkers and layer-7 proxies, as seen by the backends. */
export const SLB_SOURCE_CIDR = '100.64.0.0/10';

export type ParsedCidr =
  | { version: 4; base: number; mask: number; prefix: number }
  | { version: 6; bytes: Uint8Array; prefix: number };

/** A dotted quad as an unsigned 32-bit number, or -1. */
export function ipv4Number(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => IPV4_OCTET.test(part))) return -1;
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

export function isIpv4(text: string): boolean {
  return ipv4Number(text) >= 0;
}

/** The 16 bytes of an IPv6 address (with an optional trailing dotted quad), or undefined. */
export function ipv6Bytes(text: string): Uint8Array | undefined {
  if (text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groupsOf(halves[0] ?? '');
  const right = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  const all = halves.length === 2 ? right : left;
  const tail: number[] = [];
  const last = all[all.length - 1];
  if (last?.includes('.')) {
    const v4 = ipv4Number(last);
    if (v4 < 0) return undefined;
    all.pop();
    tail.push(v4 >>> 16, v4 & 0xffff);
  }
  const groups = [...(halves.length === 2 ? left : []), ...all];
  if (!groups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return undefined;
  const width = 8 - tail.length;
  let words: number[];
  if (halves.length === 2) {
    if (left.length + all.length >= width) return undefined;
    const zeros = Array<number>(width - left.length - all.length).fill(0);
    words = [...left.map(hex), ...zeros, ...all.map(hex), ...tail];
  } else {
    if (groups.length !== width) return undefined;
    words = [...groups.map(hex), ...tail];
  }
  const bytes = new Uint8Array(16);
  words.forEach((word, index) => {
    bytes[index * 2] = (word >> 8) & 255;
    bytes[index * 2 + 1] = word & 255;
  });
  return bytes;
}

export function isIpv6(text: string): boolean {
  return ipv6Bytes(text) !== undefined;
}

/**
 * `address/prefix`, or (with `bareAddress`) a lone address meaning /32 or /128. Undefined when
 * it is neither. The base is masked: `10.1.2.3/8` is the range 10.0.0.0/8.
 */
export function parseCidr(
  text: string,
  options: { bareAddress?: boolean } = {},
): ParsedCidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0 && options.bareAddress !== true) return undefined;
  const address = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const v4 = ipv4Number(address);
  if (v4 >= 0) {
    const prefix = prefixText === undefined ? 32 : Number(prefixText);
    if (prefix > 32) return undefined;
    return ipv4Cidr(v4, prefix);
  }
  const bytes = ipv6Bytes(address);
  if (bytes === undefined) return undefined;
  const prefix = prefixText === undefined ? 128 : Number(prefixText);
  if (prefix > 128) return undefined;
  return { version: 6, bytes, prefix };
}

/** True for `a.b.c.d/n` (n 0–32) and `ipv6/n` (n 0–128); a bare address is not a CIDR. */
export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

export type Ipv4Cidr = Extract<ParsedCidr, { version: 4 }>;

/** `::ffff:0:0/96`, where IPv6 writes IPv4 addresses. */
const MAPPED_PREFIX = 96;
const MAPPED_BYTES = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0]);

/**
 * The IPv4 addresses a range holds: itself for an IPv4 range; for an IPv6 range, the IPv4
 * addresses whose mapped form it contains (`::ffff:10.0.0.0/104` is 10.0.0.0/8, `::/0` is all of
 * IPv4); undefined when it holds none.
 */
export function ipv4Part(range: ParsedCidr): Ipv4Cidr | undefined {
  if (range.version === 4) return range;
  if (range.prefix <= MAPPED_PREFIX) {
    return prefixEquals(range.bytes, MAPPED_BYTES, range.prefix) ? ipv4Cidr(0, 0) : undefined;
  }
  if (!prefixEquals(range.bytes, MAPPED_BYTES, MAPPED_PREFIX)) return undefined;
  const b = range.bytes;
  const base =
    (((b[12] ?? 0) << 24) | ((b[13] ?? 0) << 16) | ((b[14] ?? 0) << 8) | (b[15] ?? 0)) >>> 0;
  return ipv4Cidr(base, range.prefix - MAPPED_PREFIX);
}

function ipv4Cidr(address: number, prefix: number): Ipv4Cidr {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { version: 4, base: (address & mask) >>> 0, mask, prefix };
}

/** Whether two ranges share any address, an IPv4 address and its mapped form being one. */
export function cidrsOverlap(a: ParsedCidr, b: ParsedCidr): boolean {
  if (a.version === 6 && b.version === 6) {
    return prefixEquals(a.bytes, b.bytes, Math.min(a.prefix, b.prefix));
  }
  const a4 = ipv4Part(a);
  const b4 = ipv4Part(b);
  if (a4 === undefined || b4 === undefined) return false;
  const mask = a4.prefix < b4.prefix ? a4.mask : b4.mask;
  return (a4.base & mask) >>> 0 === (b4.base & mask) >>> 0;
}

/** Whether the first `prefix` bits of two addresses are equal. */
export function prefixEquals(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  const whole = prefix >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[whole] ?? 0) & mask) === ((b[whole] ?? 0) & mask);
}

function hex(group: string): number {
  return Number.parseInt(group, 16);
}
