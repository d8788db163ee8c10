import { describe, expect, it } from 'vitest';
import { CidrSet } from '#src/probes/net/cidr-set.js';
import { cidrsOverlap, isCidr, isIpv4, isIpv6, parseCidr } from '#src/workflow/cidr.js';

describe('CIDR notation', () => {
  it.each([
    '100.64.0.0/10',
    '10.0.0.0/8',
    '0.0.0.0/0',
    '192.168.1.7/32',
    'fd00::/8',
    '::/0',
    '2001:db8::1/128',
    '::ffff:10.0.0.0/104',
  ])('%s is a CIDR', (text) => {
    expect(isCidr(text)).toBe(true);
  });

  it.each([
    '100.64.0.0',
    '100.64.0.0/33',
    '256.0.0.0/8',
    '10.0.0/8',
    '10.0.0.0/',
    '10.0.0.0/8/8',
    '01.2.3.4/8',
    'fd00::/129',
    'fd00:::1/64',
    '1::2::3/64',
    'abc/8',
    '',
    ' 10.0.0.0/8',
  ])('%j is not', (text) => {
    expect(isCidr(text)).toBe(false);
  });

  it('tells addresses apart', () => {
    expect(isIpv4('127.0.5.11')).toBe(true);
    expect(isIpv4('127.0.5')).toBe(false);
    expect(isIpv6('1:2:3:4:5:6:7:8')).toBe(true);
    expect(isIpv6('1:2:3:4:5:6:7')).toBe(false);
    expect(isIpv6('1:2:3:4:5:6:7:8:9')).toBe(false);
  });

  it('masks the base and reads a bare address as one host only when asked', () => {
    expect(parseCidr('10.1.2.3/8')).toMatchObject({ version: 4, base: 0x0a000000, prefix: 8 });
    expect(parseCidr('10.1.2.3')).toBeUndefined();
    expect(parseCidr('10.1.2.3', { bareAddress: true })).toMatchObject({ prefix: 32 });
    expect(parseCidr('::1', { bareAddress: true })).toMatchObject({ version: 6, prefix: 128 });
    expect(parseCidr('::ffff:1.2.3.4/128')?.version).toBe(6);
  });

  it('tells overlapping ranges', () => {
    const range = (text: string) => parseCidr(text) ?? expect.fail(text);
    expect(cidrsOverlap(range('0.0.0.0/0'), range('100.64.0.0/10'))).toBe(true);
    expect(cidrsOverlap(range('100.64.0.0/10'), range('100.100.1.0/24'))).toBe(true);
    expect(cidrsOverlap(range('100.64.0.0/10'), range('100.128.0.0/10'))).toBe(false);
    expect(cidrsOverlap(range('::/0'), range('fd00::/8'))).toBe(true);
    expect(cidrsOverlap(range('fd00::/8'), range('fe00::/8'))).toBe(false);
    expect(cidrsOverlap(range('2001:db8::/32'), range('10.0.0.0/8'))).toBe(false);
    // An IPv4 address and its IPv4-mapped form are one client.
    expect(cidrsOverlap(range('::/0'), range('10.0.0.0/8'))).toBe(true);
    expect(cidrsOverlap(range('::ffff:100.64.0.0/106'), range('100.100.1.0/24'))).toBe(true);
    expect(cidrsOverlap(range('::ffff:100.64.0.0/106'), range('100.128.0.0/10'))).toBe(false);
  });

  it('is the one parser: the probes accept exactly what the workflow schema accepts', () => {
    const accepts = (text: string) => {
      try {
        new CidrSet([text]);
        return true;
      } catch {
        return false;
      }
    };
    for (const text of [
      '100.64.0.0/10',
      '::ffff:10.0.0.0/104',
      'fd00::/8',
      '010.0.0.0/8',
      'fe80::1%eth0/64',
      '10.0.0.0/33',
      '1::2::3/64',
      '1.2.3.4/8/8',
    ]) {
      expect(accepts(text), text).toBe(isCidr(text));
    }
  });
});
