/**
 * A layer-4 listener's data plane. Each new client connection goes to the backend chosen at
 * that moment and stays there until one side closes it — weight changes do not move it, which
 * is why a drain must be watched rather than assumed. Like the SLB's layer 4, it is transparent:
 * the app learns the client's own address (from a PROXY header, as nginx's `proxy_protocol`).
 */
import net from 'node:net';
import { listen } from '../net/bind.js';
import { encodeProxyHeader, plainAddress } from '../net/proxy-protocol.js';
import type { BackendTarget } from '../types.js';

export interface TcpProxyConfig {
  address: string;
  port: number;
  /** EstablishedTimeout: an idle connection is closed after this long (0: never). */
  idleTimeoutSeconds: number;
  choose: (clientAddress: string) => BackendTarget | undefined;
}

export class TcpProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly config: TcpProxyConfig) {
    // Each side's FIN is passed on alone (half-open), as a layer-4 balancer forwards packets: a
    // request a client sends as its server closes the connection reaches that server, which
    // ignores it, rather than being answered with a reset by the proxy.
    this.server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) =>
      this.accept(client),
    );
  }

  start(): Promise<void> {
    return listen(this.server, this.config.address, this.config.port, 'a TCP listener');
  }

  /** Stops listening and resets every connection in flight. */
  stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) if (!socket.destroyed) socket.resetAndDestroy();
    this.sockets.clear();
    return closed;
  }

  private accept(client: net.Socket): void {
    const clientAddress = plainAddress(client.remoteAddress ?? '');
    const target = this.config.choose(clientAddress);
    if (!target) {
      // No healthy backend with weight > 0: the connection is closed, as the SLB does.
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: target.ip, port: target.port, allowHalfOpen: true });
    this.track(client);
    this.track(upstream);
    upstream.write(
      encodeProxyHeader({
        sourceAddress: clientAddress,
        sourcePort: client.remotePort ?? 0,
        destinationAddress: this.config.address,
        destinationPort: this.config.port,
      }),
    );
    // A reset on one side is passed on as a reset on the other: the client sees what the
    // backend did (e.g. the machine went down mid-request).
    upstream.on('error', () => {
      if (!client.destroyed) client.resetAndDestroy();
    });
    client.on('error', () => {
      if (!upstream.destroyed) upstream.resetAndDestroy();
    });
    upstream.on('connect', () => {
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.on('close', () => client.destroySoon());
    client.on('close', () => upstream.destroySoon());
    const idleMs = this.config.idleTimeoutSeconds * 1000;
    if (idleMs > 0) {
      client.setTimeout(idleMs, () => {
        client.destroy();
        upstream.destroy();
      });
    }
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }
}
