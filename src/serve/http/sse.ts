/**
 * Server-sent events: one `text/event-stream` response per subscriber, each event as
 * `id`, `event` (its type) and one `data` line of JSON, redacted like every output. A comment
 * every 15 s keeps proxies from closing a quiet stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redact } from '../../log/index.js';
import type { RunEventHub, ServeEvent } from '../events/run-events.js';

const KEEPALIVE_MS = 15_000;

export class EventStreams {
  private readonly open = new Set<ServerResponse>();
  private nextId = 1;

  constructor(hub: RunEventHub) {
    hub.subscribe((event) => this.send(event));
  }

  attach(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      // nginx buffers responses unless told otherwise; events must go out as they happen.
      'x-accel-buffering': 'no',
    });
    response.write(': drainctl events\n\n');
    this.open.add(response);
    const keepalive = setInterval(() => response.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    const close = () => {
      clearInterval(keepalive);
      this.open.delete(response);
    };
    request.on('close', close);
    response.on('close', close);
  }

  /** End every stream (the server is shutting down). */
  closeAll(): void {
    for (const response of this.open) response.end();
    this.open.clear();
  }

  private send(event: ServeEvent): void {
    const text = `id: ${this.nextId++}\nevent: ${event.type}\ndata: ${JSON.stringify(redact(event))}\n\n`;
    for (const response of this.open) response.write(text);
  }
}
