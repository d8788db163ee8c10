import { describe, expect, it } from 'vitest';
import { isCidr, isIpv4, isIpv6 } from '../../../src/spec/cidr.js';

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
});
