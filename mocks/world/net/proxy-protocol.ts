/**
 * PROXY protocol version 1 (the text form of haproxy's spec), as nginx's `listen … proxy_protocol`
 * reads it. The emulator uses it to tell an instance's app which address a connection "comes
 * from": the real client for layer-4 listeners, an SLB address in 100.64.0.0/10 for layer-7
 * listeners and health checks — addresses a loopback socket cannot have.
 */
import net from 'node:net';

/** The longest v1 header the spec allows, CRLF included. */
export const maxHeaderLength = 107;

const signature = 'PROXY ';

export interface ProxyAddresses {
  sourceAddress: string;
  sourcePort: number;
  destinationAddress: string;
  destinationPort: number;
}

/** `PROXY TCP4 src dst sport dport\r\n` (TCP6 when the addresses are IPv6). */
export function encodeProxyHeader(addresses: ProxyAddresses): string {
  const source = plainAddress(addresses.sourceAddress);
  const destination = plainAddress(addresses.destinationAddress);
  const family = net.isIPv6(source) || net.isIPv6(destination) ? 'TCP6' : 'TCP4';
  return `PROXY ${family} ${source} ${destination} ${addresses.sourcePort} ${addresses.destinationPort}\r\n`;
}

export type HeaderScan =
  /** More bytes are needed to decide. */
  | { kind: 'incomplete' }
  /** The connection does not start with a PROXY header: all bytes belong to the application. */
  | { kind: 'absent' }
  /** A header; `addresses` is undefined for `PROXY UNKNOWN`. `length` bytes belong to it. */
  | { kind: 'header'; addresses: ProxyAddresses | undefined; length: number }
  | { kind: 'invalid'; reason: string };

/** Looks at the first bytes of a connection and says whether (and where) a v1 header is there. */
export function scanProxyHeader(bytes: Buffer): HeaderScan {
  const prefix = bytes.subarray(0, signature.length).toString('latin1');
  if (!signature.startsWith(prefix)) return { kind: 'absent' };
  const end = bytes.indexOf('\r\n');
  if (end < 0) {
    return bytes.length >= maxHeaderLength
      ? { kind: 'invalid', reason: 'PROXY header longer than 107 bytes' }
      : { kind: 'incomplete' };
  }
  const line = bytes.subarray(0, end).toString('latin1');
  const parts = line.split(' ');
  const length = end + 2;
  if (parts[1] === 'UNKNOWN') return { kind: 'header', addresses: undefined, length };
  if (parts.length !== 6 || (parts[1] !== 'TCP4' && parts[1] !== 'TCP6')) {
    return { kind: 'invalid', reason: `malformed PROXY header: ${line}` };
  }
  const [, family, sourceAddress, destinationAddress, sourcePort, destinationPort] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const expected = family === 'TCP4' ? 4 : 6;
  if (net.isIP(sourceAddress) !== expected || net.isIP(destinationAddress) !== expected) {
    return { kind: 'invalid', reason: `bad addresses in PROXY header: ${line}` };
  }
  const ports = [sourcePort, destinationPort].map(Number);
  if (ports.some((port) => !Number.isInteger(port) || port < 0 || port > 65535)) {
    return { kind: 'invalid', reason: `bad ports in PROXY header: ${line}` };
  }
  return {
    kind: 'header',
    addresses: {
      sourceAddress,
      destinationAddress,
      sourcePort: ports[0] as number,
      destinationPort: ports[1] as number,
    },
    length,
  };
}

/** Node reports IPv4 peers of dual-stack sockets as `::ffff:a.b.c.d`; logs and headers want `a.b.c.d`. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}
