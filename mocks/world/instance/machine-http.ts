/**
 * The network as seen from inside one machine, for `curl` run through Cloud Assistant:
 * `localhost` is the machine itself (the request comes from 127.0.0.1, as nginx would log it),
 * other 127.0.0.0/8 addresses are the emulator's other machines and balancers (the request
 * comes from this machine's private IP). Nothing outside loopback is reachable.
 */
import http from 'node:http';
import net from 'node:net';
import type { CurlRequest, CurlResult } from '../commands/curl.js';

/** Largest body curl's output keeps (Cloud Assistant truncates output anyway). */
const maxBodyBytes = 64 * 1024;

export function fetchFromMachine(
  request: CurlRequest,
  machineIp: string,
  timeoutMs: number,
): Promise<CurlResult> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return Promise.resolve({ kind: 'unresolvable', host: request.url });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const local = host === 'localhost' || host === '127.0.0.1' || host === '::1';
  const target = local ? machineIp : host;
  if (!net.isIPv4(target) || !target.startsWith('127.')) {
    return Promise.resolve({ kind: 'unresolvable', host });
  }
  const port = Number(url.port || 80);
  const started = Date.now();
  return new Promise((resolve) => {
    const req = http.request({
      host: target,
      port,
      localAddress: local ? '127.0.0.1' : machineIp,
      method: request.method,
      path: `${url.pathname}${url.search}`,
      headers: { host: url.host, accept: '*/*', ...request.headers },
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ kind: 'timeout', elapsedMs: Date.now() - started });
    }, timeoutMs);
    // curl reports every failure to connect (refused, reset) as exit 7.
    req.on('error', () => {
      clearTimeout(timer);
      resolve({ kind: 'refused', host, port });
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => {
        if (body.length < maxBodyBytes) body += chunk;
      });
      res.on('end', () => {
        clearTimeout(timer);
        const headers: [string, string][] = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          headers.push([res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string]);
        }
        resolve({
          kind: 'response',
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? http.STATUS_CODES[res.statusCode ?? 0] ?? '',
          httpVersion: res.httpVersion,
          headers,
          body,
        });
      });
      res.on('error', () => {
        clearTimeout(timer);
        resolve({ kind: 'refused', host, port });
      });
    });
    req.end();
  });
}
