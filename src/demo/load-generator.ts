/**
 * The demo's client population: keep-alive HTTP clients that find the service by DNS (as real
 * clients do, honouring the record's TTL) and keep using an open connection for as long as the
 * server keeps it open — even after the record has moved. That is exactly why a drain must be
 * watched rather than assumed. Every request is counted; a request fails when it gets no
 * complete 2xx/3xx answer (connection refused or reset, timeout, 5xx). A request the server
 * never took — its kept-alive connection closed cleanly under it before any byte of the answer —
 * is sent once more on a new connection, as browsers and Go's HTTP client do (`resendable`).
 */
import { setMaxListeners } from 'node:events';
import { Agent, type ClientRequest, request } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock } from '../ports/index.js';

export interface ServiceAddress {
  address: string;
  /** Seconds this answer may be cached. */
  ttlSeconds: number;
}

export interface LoadGeneratorOptions {
  /** DNS name clients use (sent as the Host header). */
  hostname: string;
  port: number;
  path?: string;
  /** Looks the name up (against the zone's name server); the generator caches by TTL. */
  resolve: (hostname: string) => Promise<ServiceAddress>;
  /** Requests per second across all clients. */
  ratePerSecond: number;
  /** Concurrent keep-alive clients. */
  clients: number;
  requestTimeoutMs?: number;
  /**
   * Every n-th request of a client is a slow one (path + `slowSuffix`), like the uploads and
   * slow API calls of a real service: they are the requests a reboot cuts off mid-flight.
   */
  slow?: { every: number; suffix: string };
  clock: Clock;
  /** Which backend served a response, from the response (e.g. a header or the body). */
  servedBy?: (
    headers: Record<string, string | string[] | undefined>,
    body: string,
  ) => string | undefined;
}

export interface RequestFailure {
  at: string;
  target: string;
  reason: string;
  /** The backend that answered, when an answer came (a 5xx). */
  servedBy?: string;
}

export interface LoadStats {
  total: number;
  ok: number;
  failed: number;
  /**
   * Requests sent a second time because the kept-alive connection they went out on ended
   * before the answer (counted once, by how the second attempt went).
   */
  resent: number;
  /** Successful responses per backend (by `servedBy`). */
  byBackend: Record<string, number>;
  /** Successful responses per target address the clients connected to. */
  byTarget: Record<string, number>;
  /** The first failures, for the report. */
  failures: RequestFailure[];
}

const MAX_RECORDED_FAILURES = 50;

/** A client's way to the service: the address it resolved and the connection it holds. */
interface ClientLink {
  target?: string;
  connection?: Socket;
}

interface Attempt {
  ok: boolean;
  /** The answer did not say `Connection: close`. */
  keptOpen?: boolean;
  servedBy?: string;
  reason?: string;
  /** May be sent once more on a new connection (`resendable`). */
  resendable: boolean;
  /** The connection it went out on: the next request reuses it while the server keeps it. */
  connection?: Socket;
}

/**
 * A request is sent once more, on a new connection, when the server closed the kept-alive
 * connection it went out on cleanly (a FIN; the connection saw no error of its own) before any
 * byte of the answer: the server closed that connection as idle (`keepalive_timeout`, a
 * graceful reload) as the request left, and never took it. These clients send GETs, which are
 * idempotent: browsers and Go's http.Transport resend them then, and Node's documentation of
 * `request.reusedSocket` advises it. A reset is not resent (browsers and Go would): it is how a
 * server that goes down cuts the requests it was serving, and those count as failed.
 */
function resendable(
  req: Pick<ClientRequest, 'reusedSocket'>,
  error: NodeJS.ErrnoException,
  connection: Socket | undefined,
): boolean {
  return req.reusedSocket && error.code === 'ECONNRESET' && connection?.errored === null;
}

export class LoadGenerator {
  private readonly stats: LoadStats = {
    total: 0,
    ok: 0,
    failed: 0,
    resent: 0,
    byBackend: {},
    byTarget: {},
    failures: [],
  };
  private readonly controller = new AbortController();
  private workers: Promise<void>[] = [];
  private cached: { value: ServiceAddress; expiresAt: number } | undefined;
  private resolving: Promise<ServiceAddress> | undefined;

  constructor(private readonly options: LoadGeneratorOptions) {}

  start(): void {
    // Every client sleeps on the same stop signal between its requests.
    setMaxListeners(this.options.clients + 10, this.controller.signal);
    const interval = (1000 * this.options.clients) / this.options.ratePerSecond;
    for (let i = 0; i < this.options.clients; i += 1) {
      // Spread the clients over one interval so requests do not arrive in bursts.
      this.workers.push(this.client(interval, (interval * i) / this.options.clients));
    }
  }

  /** A copy of the counters so far. */
  snapshot(): LoadStats {
    return structuredClone(this.stats);
  }

  async stop(): Promise<LoadStats> {
    this.controller.abort();
    await Promise.all(this.workers);
    return this.snapshot();
  }

  private async address(): Promise<ServiceAddress> {
    const now = this.options.clock.monotonic();
    if (this.cached && this.cached.expiresAt > now) return this.cached.value;
    this.resolving ??= this.options
      .resolve(this.options.hostname)
      .then((value) => {
        this.cached = {
          value,
          expiresAt: this.options.clock.monotonic() + value.ttlSeconds * 1000,
        };
        return value;
      })
      .finally(() => {
        this.resolving = undefined;
      });
    return this.resolving;
  }

  /** One client: one keep-alive connection, re-resolving the name only when it has to reconnect. */
  private async client(intervalMs: number, offsetMs: number): Promise<void> {
    const { signal } = this.controller;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const link: ClientLink = {};
    let sent = 0;
    try {
      await this.options.clock.sleep(offsetMs, signal);
      let next = this.options.clock.monotonic();
      while (!signal.aborted) {
        sent += 1;
        const slow = this.options.slow !== undefined && sent % this.options.slow.every === 0;
        const suffix = slow ? this.options.slow?.suffix : undefined;
        let result = await this.attempt(agent, link, suffix);
        if (result.resendable) {
          this.stats.resent += 1;
          result = await this.attempt(agent, link, suffix);
        }
        this.record(result.ok, link.target ?? '?', result.servedBy, result.reason);
        next += intervalMs;
        await this.options.clock.sleep(Math.max(0, next - this.options.clock.monotonic()), signal);
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      agent.destroy();
    }
  }

  /** One attempt: on the open connection, or on a new one to the address the name has now. */
  private async attempt(
    agent: Agent,
    link: ClientLink,
    suffix: string | undefined,
  ): Promise<Attempt> {
    if (link.target === undefined || link.connection === undefined || link.connection.destroyed) {
      try {
        link.target = (await this.address()).address;
      } catch (error) {
        return { ok: false, reason: `DNS: ${(error as Error).message}`, resendable: false };
      }
    }
    const result = await this.send(agent, link.target, suffix);
    // Told the connection closes after this answer (keepalive_requests): the next one is new.
    link.connection = result.keptOpen ? result.connection : undefined;
    return result;
  }

  private send(agent: Agent, target: string, suffix = ''): Promise<Attempt> {
    return new Promise((resolve) => {
      let settled = false;
      let connection: Socket | undefined;
      const finish = (value: Omit<Attempt, 'connection'>) => {
        if (!settled) {
          settled = true;
          resolve({ ...value, ...(connection === undefined ? {} : { connection }) });
        }
      };
      const req = request(
        {
          host: target,
          port: this.options.port,
          path: `${this.options.path ?? '/'}${suffix}`,
          method: 'GET',
          agent,
          headers: { host: this.options.hostname, 'user-agent': 'drainctl-demo-load/1' },
          timeout: this.options.requestTimeoutMs ?? 5000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const ok = status >= 200 && status < 400;
            finish({
              ok,
              keptOpen: !/close/i.test(String(res.headers.connection ?? '')),
              servedBy: this.options.servedBy?.(
                res.headers,
                Buffer.concat(chunks).toString('utf8'),
              ),
              reason: ok ? undefined : `HTTP ${status}`,
              resendable: false,
            });
          });
          res.on('error', (error) =>
            finish({ ok: false, reason: error.message, resendable: false }),
          );
        },
      );
      req.on('socket', (socket) => {
        connection = socket;
      });
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', (error: NodeJS.ErrnoException) =>
        finish({
          ok: false,
          reason: error.code ?? error.message,
          resendable: resendable(req, error, connection),
        }),
      );
      req.end();
    });
  }

  private record(
    ok: boolean,
    target: string,
    servedBy: string | undefined,
    reason: string | undefined,
  ): void {
    this.stats.total += 1;
    if (ok) {
      this.stats.ok += 1;
      this.stats.byTarget[target] = (this.stats.byTarget[target] ?? 0) + 1;
      if (servedBy !== undefined)
        this.stats.byBackend[servedBy] = (this.stats.byBackend[servedBy] ?? 0) + 1;
      return;
    }
    this.stats.failed += 1;
    if (this.stats.failures.length < MAX_RECORDED_FAILURES) {
      this.stats.failures.push({
        at: new Date(this.options.clock.now()).toISOString(),
        target,
        reason: reason ?? 'failed',
        ...(servedBy === undefined ? {} : { servedBy }),
      });
    }
  }
}
