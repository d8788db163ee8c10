/**
 * The first bytes of every connection to an app: an optional PROXY v1 header (as nginx with
 * `proxy_protocol` reads it), then HTTP. Direct clients send no header and are logged with their
 * real peer address.
 */
import type net from 'node:net';
import { plainAddress, scanProxyHeader } from '../net/proxy-protocol.js';

/** nginx's client_header_timeout default is 60 s; a shorter wait keeps idle probes from piling up. */
const firstBytesTimeoutMs = 10_000;

export interface PeerAddress {
  address: string;
  port: number;
}

/**
 * Reads the optional header, then calls `ready` with the address the app should log. The bytes
 * after the header are put back on the socket, so `ready` sees the stream as if the header had
 * never been there. A malformed header closes the connection (nginx answers nothing either).
 */
export function readProxyHeader(socket: net.Socket, ready: (peer: PeerAddress) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  socket.setTimeout(firstBytesTimeoutMs, () => socket.destroy());
  const onData = (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const scan = scanProxyHeader(buffered);
    if (scan.kind === 'incomplete') return;
    socket.removeListener('data', onData);
    socket.setTimeout(0);
    if (scan.kind === 'invalid') {
      socket.destroy();
      return;
    }
    socket.pause();
    const rest = scan.kind === 'header' ? buffered.subarray(scan.length) : buffered;
    if (rest.length > 0) socket.unshift(rest);
    const declared = scan.kind === 'header' ? scan.addresses : undefined;
    ready(
      declared
        ? { address: declared.sourceAddress, port: declared.sourcePort }
        : { address: plainAddress(socket.remoteAddress ?? '-'), port: socket.remotePort ?? 0 },
    );
  };
  socket.on('data', onData);
}
