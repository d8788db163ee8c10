/**
 * One instance's app: nginx in front of a small service, on `privateIp:appPort`. Behaves as nginx
 * does where a drain can tell the difference: keep-alive with a per-connection request limit
 * (`keepalive_requests`) and an idle timeout (`keepalive_timeout`), a graceful reload (`nginx -s
 * reload`: the old workers answer what is in progress and let their keep-alive connections go),
 * an optional PROXY header, one `combined` log line per request written when the response has
 * been sent, and — when the machine goes down — connections reset, nothing logged for requests
 * in flight.
 */
import http from 'node:http';
import net from 'node:net';
import type { EstablishedConnection } from '../commands/machine-facts.js';
import { listen } from '../net/bind.js';
import { plainAddress } from '../net/proxy-protocol.js';
import type { AccessLogWriter } from './access-log.js';
import { type AppCondition, type AppIdentity, nginxReason, route } from './app-routes.js';
import { firstRequestTimeoutMs, type PeerAddress, readProxyHeader } from './proxy-front.js';

export interface AppServerConfig {
  identity: AppIdentity;
  ip: string;
  port: number;
  keepaliveRequests: number;
  keepaliveTimeoutSeconds: number;
  log: AccessLogWriter;
  condition: () => AppCondition;
  isHealthCheckSource: (address: string) => boolean;
  random: () => number;
}

interface ConnectionState {
  peer: PeerAddress;
  requests: number;
  inFlight: number;
  /** The generation of workers that accepted it (each reload starts a new one). */
  workers: number;
}

export class AppServer {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly connections = new WeakMap<net.Socket, ConnectionState>();
  private readonly http: http.Server;
  /** nginx's current worker generation: a reload retires the workers of every earlier one. */
  private workers = 0;
  /** Idle connections a reload closed: what arrives on them is not read by nginx. */
  private readonly closing = new WeakSet<net.Socket>();

  constructor(private readonly config: AppServerConfig) {
    this.http = http.createServer((req, res) => this.handle(req, res));
    // Node's own keep-alive timer adds a one-second safety margin; nginx closes on the dot, and
    // drain timings depend on it, so the idle timeout is kept per connection below instead.
    this.http.keepAliveTimeout = 0;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** Opens the log and accepts connections again (after a boot). */
  async start(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((socket) => this.accept(socket));
    this.config.log.open();
    try {
      await listen(
        server,
        this.config.ip,
        this.config.port,
        `the app of ${this.config.identity.instanceId}`,
      );
    } catch (error) {
      this.config.log.close();
      throw error;
    }
    this.server = server;
  }

  /** The machine goes down: stop listening, reset every open connection, log nothing more. */
  stop(): void {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.config.log.close();
    server.close();
    for (const socket of this.sockets) {
      if (!socket.destroyed) socket.resetAndDestroy();
    }
    this.sockets.clear();
  }

  /**
   * A graceful reload (`nginx -s reload`): new workers take new connections; the old ones close
   * their idle keep-alive connections at once, answer each request in progress with
   * `Connection: close` and close that connection after it, and give a connection that has not
   * sent its first request yet one answer, then close it. A request a client sent on an idle
   * connection just as it was closed is not answered: the client sees the close (a FIN), as
   * nginx's close reaches it first, and may send it again on a new connection.
   */
  reload(): void {
    if (!this.server) return;
    this.workers += 1;
    for (const socket of this.sockets) {
      const connection = this.connections.get(socket);
      if (connection !== undefined && connection.requests > 0 && connection.inFlight === 0) {
        this.closeIdle(socket);
      }
    }
  }

  /**
   * nginx closes the socket; bytes that still arrive draw a reset, which on a real network
   * reaches the client after the FIN. Here the FIN goes out (`end`) and whatever arrives after
   * it is read and dropped (`handle`), so the client sees the close nginx sent, not a reset that
   * on loopback would overtake it.
   */
  private closeIdle(socket: net.Socket): void {
    this.closing.add(socket);
    socket.end();
    // A peer that never closes its side: http.Server destroys the socket when this fires.
    socket.setTimeout(firstRequestTimeoutMs);
  }

  /** Established connections as `ss` on the machine would list them (peers as the app sees them). */
  establishedConnections(): EstablishedConnection[] {
    const list: EstablishedConnection[] = [];
    for (const socket of this.sockets) {
      if (socket.destroyed) continue;
      const peer = this.connections.get(socket)?.peer ?? {
        address: plainAddress(socket.remoteAddress ?? ''),
        port: socket.remotePort ?? 0,
      };
      list.push({
        localAddress: this.config.ip,
        localPort: this.config.port,
        peerAddress: peer.address,
        peerPort: peer.port,
      });
    }
    return list;
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    // Peers resetting connections is ordinary traffic, not a failure of the app.
    socket.on('error', () => {});
    const workers = this.workers;
    readProxyHeader(socket, (peer) => {
      if (!this.server) return;
      this.connections.set(socket, { peer, requests: 0, inFlight: 0, workers });
      // http.Server would otherwise read the socket's handle directly and skip the bytes
      // `readProxyHeader` put back; marking the handle as consumed makes it read the stream.
      const handle = (socket as unknown as { _handle?: { _consumed?: boolean } })._handle;
      if (handle) handle._consumed = true;
      this.http.emit('connection', socket);
      // Until the first request arrives; http.Server destroys the socket when this fires.
      socket.setTimeout(firstRequestTimeoutMs);
      socket.resume();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const socket = req.socket;
    const connection = this.connections.get(socket);
    if (!connection) {
      socket.destroy();
      return;
    }
    if (this.closing.has(socket)) return;
    const startedAt = Date.now();
    const started = performance.now();
    connection.requests += 1;
    connection.inFlight += 1;
    socket.setTimeout(0);
    if (connection.requests >= this.config.keepaliveRequests) res.setHeader('connection', 'close');

    const fromHealthCheck = this.config.isHealthCheckSource(connection.peer.address);
    const answer = route(
      {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        fromHealthCheck,
        forwardedFor: header(req, 'x-forwarded-for'),
      },
      this.config.identity,
      this.config.condition(),
      this.config.random,
    );
    const bodyBytes = req.method === 'HEAD' ? 0 : Buffer.byteLength(answer.body);
    let logged = false;
    const log = (status: number, bytes: number) => {
      if (logged || !this.server) return;
      logged = true;
      this.config.log.write({
        remoteAddr: connection.peer.address,
        time: new Date(startedAt),
        request: `${req.method} ${req.url} HTTP/${req.httpVersion}`,
        status,
        bodyBytesSent: bytes,
        referer: header(req, 'referer'),
        userAgent: header(req, 'user-agent'),
        requestTimeSeconds: (performance.now() - started) / 1000,
      });
    };
    res.on('finish', () => {
      log(answer.status, bodyBytes);
      connection.inFlight -= 1;
      if (connection.inFlight === 0 && !socket.destroyed) {
        // Idle keep-alive connection: http.Server destroys the socket when this fires.
        socket.setTimeout(this.config.keepaliveTimeoutSeconds * 1000);
      }
    });
    // The client went away before the answer: nginx logs 499.
    res.on('close', () => {
      if (!res.writableFinished) {
        connection.inFlight -= 1;
        log(499, 0);
      }
    });

    const send = () => {
      if (res.destroyed) return;
      // Retired by a reload meanwhile: this answer is the connection's last.
      if (connection.workers !== this.workers) res.setHeader('connection', 'close');
      // Like nginx, HEAD gets the length GET would have; Node sends no body for HEAD.
      res.writeHead(answer.status, nginxReason(answer.status), {
        ...answer.headers,
        'content-length': Buffer.byteLength(answer.body),
      });
      res.end(answer.body);
    };
    if (answer.delayMs > 0) {
      const timer = setTimeout(send, answer.delayMs);
      res.on('close', () => clearTimeout(timer));
    } else {
      send();
    }
  }
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
