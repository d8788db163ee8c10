/**
 * CIDR notation, checked without node:net (the spec folder is pure): `100.64.0.0/10`,
 * `10.0.0.5/32`, `fd00::/8`. A bare address is not a CIDR: the prefix length says what is meant.
 */

const IPV4_OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((part) => IPV4_OCTET.test(part));
}

export function isIpv6(text: string): boolean {
  if (text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return false;
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (part: string): string[] => (part === '' ? [] : part.split(':'));
  let groups = halves.flatMap(groupsOf);
  let width = 8;
  const last = groups[groups.length - 1];
  if (last?.includes('.')) {
    if (!isIpv4(last)) return false;
    groups = groups.slice(0, -1);
    width = 6;
  }
  if (!groups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return false;
  return halves.length === 2 ? groups.length < width : groups.length === width;
}

/** True for `a.b.c.d/n` (n 0–32) and `ipv6/n` (n 0–128). */
export function isCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const address = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return false;
  const length = Number(prefix);
  if (isIpv4(address)) return length <= 32;
  if (isIpv6(address)) return length <= 128;
  return false;
}
