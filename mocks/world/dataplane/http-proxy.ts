/**
 * A layer-7 listener's data plane. Every request is routed on its own (a weight change applies
 * to the next request, even on an open client connection). Backends see the SLB, not the client:
 * connections come from the listener's forwarding-node addresses in 100.64.0.0/10 (told to the
 * app in a PROXY header) and the client's address is in X-Forwarded-For.
 */
import http from 'node:http';
import net from 'node:net';
import { listen } from '../net/bind.js';
import { encodeProxyHeader, plainAddress } from '../net/proxy-protocol.js';
import type { BackendTarget } from '../types.js';
import { ephemeralPort } from './slb-addresses.js';

export interface HttpProxyConfig {
  address: string;
  port: number;
  xForwardedFor: boolean;
  /** IdleTimeout: an idle client connection is closed after this long. */
  idleTimeoutSeconds: number;
  /** RequestTimeout: a backend that has not answered by then gets the client a 504. */
  requestTimeoutSeconds: number;
  /** This listener's forwarding-node addresses. */
  sources: string[];
  random: () => number;
  choose: (clientAddress: string) => BackendTarget | undefined;
}

/** Headers that describe one connection and must not be forwarded (RFC 9110 §7.6.1). */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

/** Largest request body the emulator buffers (so a request can be retried on a fresh connection). */
const maxBodyBytes = 8 * 1024 * 1024;

export class HttpProxy {
  private readonly server: http.Server;
  private readonly agents = new Map<string, http.Agent>();
  private nextSource = 0;

  constructor(private readonly config: HttpProxyConfig) {
    this.server = http.createServer((req, res) => void this.forward(req, res));
    this.server.keepAliveTimeout = config.idleTimeoutSeconds * 1000;
  }

  start(): Promise<void> {
    return listen(this.server, this.config.address, this.config.port, 'an HTTP listener');
  }

  stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
    return closed;
  }

  private async forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const clientAddress = plainAddress(req.socket.remoteAddress ?? '');
    const body = await readBody(req);
    if (body === undefined) {
      sendError(res, 413);
      return;
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!hopByHop.has(name) && value !== undefined) headers[name] = value;
    }
    if (this.config.xForwardedFor) {
      const previous = req.headers['x-forwarded-for'];
      headers['x-forwarded-for'] = previous ? `${previous}, ${clientAddress}` : clientAddress;
      headers['x-forwarded-proto'] = 'http';
    }
    headers['content-length'] = body.length;

    for (let attempt = 1; ; attempt++) {
      const target = this.config.choose(clientAddress);
      if (!target) {
        sendError(res, 503);
        return;
      }
      const outcome = await this.send(target, req, headers, body, res);
      // A kept-alive backend connection the app closed just as it was reused: try once more,
      // as nginx's proxy_next_upstream does for a connection error before any response.
      if (outcome === 'retry' && attempt === 1) continue;
      if (outcome !== 'done') sendError(res, outcome === 'timeout' ? 504 : 502);
      return;
    }
  }

  private send(
    target: BackendTarget,
    req: http.IncomingMessage,
    headers: http.OutgoingHttpHeaders,
    body: Buffer,
    res: http.ServerResponse,
  ): Promise<'done' | 'retry' | 'failed' | 'timeout'> {
    return new Promise((resolve) => {
      const upstream = http.request({
        agent: this.agentFor(target),
        host: target.ip,
        port: target.port,
        method: req.method,
        path: req.url,
        headers,
      });
      const timer = setTimeout(() => {
        upstream.destroy();
        resolve('timeout');
      }, this.config.requestTimeoutSeconds * 1000);
      upstream.on('response', (answer) => {
        clearTimeout(timer);
        const out: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (!hopByHop.has(name) && value !== undefined) out[name] = value;
        }
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
        answer.on('end', () => resolve('done'));
        res.on('close', () => resolve('done'));
      });
      upstream.on('error', () => {
        clearTimeout(timer);
        if (res.headersSent) {
          res.destroy();
          resolve('done');
        } else {
          resolve(upstream.reusedSocket ? 'retry' : 'failed');
        }
      });
      upstream.end(body);
    });
  }

  /** One keep-alive pool per backend; each new connection opens with a PROXY header. */
  private agentFor(target: BackendTarget): http.Agent {
    const key = `${target.ip}:${target.port}`;
    const existing = this.agents.get(key);
    if (existing) return existing;
    const agent = new http.Agent({ keepAlive: true });
    const { sources, random } = this.config;
    agent.createConnection = () => {
      const socket = net.connect({ host: target.ip, port: target.port });
      const source = sources[this.nextSource++ % sources.length] ?? '100.64.0.1';
      socket.write(
        encodeProxyHeader({
          sourceAddress: source,
          sourcePort: ephemeralPort(random),
          destinationAddress: target.ip,
          destinationPort: target.port,
        }),
      );
      return socket;
    };
    this.agents.set(key, agent);
    return agent;
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= maxBodyBytes ? Buffer.concat(chunks) : undefined));
    req.on('error', () => resolve(undefined));
  });
}

const reasons: Record<number, string> = {
  413: 'Request Entity Too Large',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** The SLB's own error page (its layer 7 runs Tengine). */
function sendError(res: http.ServerResponse, status: number): void {
  if (res.headersSent || res.destroyed) return;
  const title = `${status} ${reasons[status] ?? 'Error'}`;
  const page =
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n` +
    '<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n';
  res.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(page) });
  res.end(page);
}
