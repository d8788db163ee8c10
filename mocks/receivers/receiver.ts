/**
 * One mock chat platform (or webhook endpoint) on loopback: it checks each request the way the
 * platform does — its own signature check, written here from the platform's documentation and
 * never imported from src/ — answers as the platform answers (its error bodies included), and
 * records every message it took or refused. An admin API reads the record and injects failures
 * (the admin API is a test seam: no platform has one).
 *
 *   GET    /_admin/messages            every request, in order: {at, accepted, answer, body}
 *   DELETE /_admin/messages            forget them
 *   POST   /_admin/fail {status, count, body?}   answer the next `count` requests with `status`
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface ReceivedMessage {
  at: string;
  path: string;
  /** The platform took it (it would be shown in the room). */
  accepted: boolean;
  answer: Answer;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** How one platform reads a request: accept it (an answer with `accepted`) or refuse it. */
export type Handle = (request: {
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
  nowMs: number;
}) => { accepted: boolean; answer: Answer };

export interface Receiver {
  /** The webhook URL to configure (its token or key included). */
  url: string;
  /** The admin API's base, `http://127.0.0.1:PORT/_admin`. */
  admin: string;
  messages(): ReceivedMessage[];
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

export async function startReceiver(options: {
  port?: number;
  host?: string;
  /** The path and query of the webhook URL, e.g. `/robot/send?access_token=…`. */
  hookPath: string;
  handle: Handle;
  now?: () => number;
}): Promise<Receiver> {
  const now = options.now ?? Date.now;
  const messages: ReceivedMessage[] = [];
  let failures: { status: number; count: number; body: string } | undefined;
  const server: Server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const url = new URL(req.url ?? '/', 'http://receiver.invalid');
        if (url.pathname.startsWith('/_admin/')) return admin(url, req.method, body, res);
        let outcome: { accepted: boolean; answer: Answer };
        if (req.method !== 'POST') {
          outcome = { accepted: false, answer: { status: 405, body: 'method not allowed' } };
        } else if (failures !== undefined && failures.count > 0) {
          failures.count -= 1;
          outcome = { accepted: false, answer: { status: failures.status, body: failures.body } };
        } else {
          outcome = options.handle({ url, headers: req.headers, body, nowMs: now() });
        }
        messages.push({
          at: new Date(now()).toISOString(),
          path: url.pathname,
          accepted: outcome.accepted,
          answer: outcome.answer,
          headers: req.headers,
          body,
        });
        send(res, outcome.answer);
      },
      () => send(res, { status: 413, body: 'request body too large' }),
    );
  });
  const admin = (url: URL, method: string | undefined, body: string, res: ServerResponse) => {
    if (url.pathname === '/_admin/messages' && method === 'GET') {
      return send(res, json(200, messages));
    }
    if (url.pathname === '/_admin/messages' && method === 'DELETE') {
      messages.length = 0;
      return send(res, json(200, { ok: true }));
    }
    if (url.pathname === '/_admin/fail' && method === 'POST') {
      const asked = JSON.parse(body || '{}') as { status?: number; count?: number; body?: string };
      failures = {
        status: asked.status ?? 500,
        count: asked.count ?? 1,
        body: asked.body ?? 'internal error',
      };
      return send(res, json(200, { ok: true }));
    }
    return send(res, json(404, { error: 'no such admin endpoint' }));
  };
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://${host}:${port}`;
  return {
    url: `${base}${options.hookPath}`,
    admin: `${base}/_admin`,
    messages: () => [...messages],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(status: number, value: unknown, headers?: Record<string, string>): Answer {
  return {
    status,
    body: JSON.stringify(value),
    headers: { 'Content-Type': 'application/json', ...headers },
  };
}

function send(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, { 'Content-Type': 'text/plain', ...answer.headers });
  res.end(answer.body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A per-minute counter: true when one more request would go over `max`. */
export function overRate(sent: number[], nowMs: number, max: number, windowMs = 60_000): boolean {
  while (sent.length > 0 && (sent[0] ?? 0) <= nowMs - windowMs) sent.shift();
  if (sent.length >= max) return true;
  sent.push(nowMs);
  return false;
}
