/**
 * One health check of one backend, as an SLB node performs it: a TCP handshake (then a reset,
 * so the app sees no request and logs nothing), or an HTTP request — HEAD by default, HTTP/1.0,
 * `Host:` empty unless a check domain is set (docs/aliyun.md, "Health checks") — preceded by a
 * PROXY header naming the node's 100.64.0.0/10 address, which is how the check appears in the
 * app's log.
 */
import net from 'node:net';
import { encodeProxyHeader } from '../net/proxy-protocol.js';
import type { ListenerHealthCheckConfig } from '../types.js';

export interface ProbeTarget {
  ip: string;
  port: number;
}

export interface ProbeSource {
  address: string;
  port: number;
}

/** Resolves true when the backend passes; never rejects. */
export function probe(
  target: ProbeTarget,
  config: ListenerHealthCheckConfig,
  source: ProbeSource,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.ip, port: target.port });
    let settled = false;
    const finish = (passed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // A TCP check ends with a reset right after the handshake, as the SLB's does.
      if (socket.destroyed) return resolve(passed);
      if (config.type === 'tcp' && !socket.connecting) socket.resetAndDestroy();
      else socket.destroy();
      resolve(passed);
    };
    const timer = setTimeout(() => finish(false), Math.max(config.timeoutSeconds, 0.05) * 1000);
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));

    if (config.type === 'tcp') {
      socket.on('connect', () => finish(true));
      return;
    }
    socket.on('connect', () => {
      const proxyHeader = encodeProxyHeader({
        sourceAddress: source.address,
        sourcePort: source.port,
        destinationAddress: target.ip,
        destinationPort: target.port,
      });
      const method = config.method === 'get' ? 'GET' : 'HEAD';
      const request = `${method} ${config.uri || '/'} HTTP/1.0\r\nHost: ${config.domain ?? ''}\r\n\r\n`;
      socket.write(proxyHeader + request);
    });
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n');
      if (end < 0 && head.length < 1024) return;
      const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(head)?.[1]);
      finish(Number.isInteger(status) && codeAccepted(status, config.httpCodes));
    });
  });
}

/** `['http_2xx', 'http_3xx']` accepts 200–399; an empty list means the SLB default (2xx, 3xx). */
export function codeAccepted(status: number, codes: string[]): boolean {
  const accepted = codes.length > 0 ? codes : ['http_2xx', 'http_3xx'];
  return accepted.some((code) => code.toLowerCase() === `http_${Math.floor(status / 100)}xx`);
}
