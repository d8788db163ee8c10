/**
 * A stand-in for Slack's Socket Mode, as the official SDK (`@slack/socket-mode`) speaks to it:
 *
 *   POST /api/apps.connections.open   Authorization: Bearer <app-level token>
 *        → {ok: true, url}            (another token: {ok: false, error: "invalid_auth"})
 *   WebSocket <url>                   each URL works once; Slack sends {type: "hello", …} first,
 *        then envelopes {envelope_id, type, payload, accepts_response_payload} of type
 *        `slash_commands` (the command's fields), `interactive` (a block_actions payload) or
 *        `events_api` (an event callback, with retry_attempt and retry_reason); and
 *        {type: "disconnect", reason} before it closes a connection.
 *   the app answers each envelope {envelope_id, payload?}.
 *
 * Unlike Slack it does not send an unacknowledged envelope again by itself: a test does.
 * Never imports src/.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

export const SLACK_CONNECTIONS_OPEN_PATH = '/api/apps.connections.open';
const SOCKET_PATH = '/slack/socket';

export type SlackEnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SlackSocketModeStandIn {
  /** Connections opened so far. */
  opened(): number;
  /** Whether an app is connected now. */
  connected(): boolean;
  /** `apps.connections.open` calls refused for their token so far. */
  refused(): number;
  /** Sends an envelope; resolves with the app's acknowledgement. */
  push(
    type: SlackEnvelopeType,
    payload: Record<string, unknown>,
    options?: { retryAttempt?: number },
  ): Promise<Record<string, unknown>>;
  /** Ends every connection as Slack does: a `disconnect` message, then the close. */
  drop(): void;
}

export function slackSocketModeGateway(options: {
  appToken: () => string | undefined;
  base: () => string;
}) {
  const urls = new Set<string>();
  const connections = new Set<WebSocket>();
  const waitingAcks = new Map<string, (frame: Record<string, unknown>) => void>();
  let opened = 0;
  let refused = 0;
  const wss = new WebSocketServer({ noServer: true });

  function open(authorization: string | undefined): Record<string, unknown> {
    const token = options.appToken();
    if (token === undefined || authorization !== `Bearer ${token}`) {
      refused += 1;
      return { ok: false, error: 'invalid_auth' };
    }
    const ticket = randomBytes(16).toString('hex');
    urls.add(ticket);
    return {
      ok: true,
      url: `${options.base().replace(/^http/, 'ws')}${SOCKET_PATH}?ticket=${ticket}`,
    };
  }

  function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'http://mock.invalid');
    if (url.pathname !== SOCKET_PATH) return false;
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!urls.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n');
      return true;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      opened += 1;
      connections.add(ws);
      ws.on('close', () => connections.delete(ws));
      ws.on('message', (data) => {
        const frame = parse(String(data));
        const id = typeof frame.envelope_id === 'string' ? frame.envelope_id : '';
        waitingAcks.get(id)?.(frame);
        waitingAcks.delete(id);
      });
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: connections.size,
          debug_info: { host: 'applink-stand-in', approximate_connection_time: 18060 },
          connection_info: { app_id: 'A0DRAINCTL' },
        }),
      );
    });
    return true;
  }

  const standIn: SlackSocketModeStandIn = {
    opened: () => opened,
    refused: () => refused,
    connected: () => [...connections].some((ws) => ws.readyState === ws.OPEN),
    push(type, payload, pushOptions = {}) {
      const ws = [...connections].find((c) => c.readyState === c.OPEN);
      if (ws === undefined) return Promise.reject(new Error('no app is connected to Socket Mode'));
      const envelopeId = randomBytes(16).toString('hex');
      const acked = new Promise<Record<string, unknown>>((resolve) =>
        waitingAcks.set(envelopeId, resolve),
      );
      ws.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: type !== 'events_api',
          ...(type === 'events_api'
            ? {
                retry_attempt: pushOptions.retryAttempt ?? 0,
                retry_reason: pushOptions.retryAttempt ? 'timeout' : '',
              }
            : {}),
        }),
      );
      return acked;
    },
    drop() {
      for (const ws of connections) {
        ws.send(
          JSON.stringify({
            type: 'disconnect',
            reason: 'refresh_requested',
            debug_info: { host: 'applink-stand-in' },
          }),
        );
        ws.close(1000, 'refresh_requested');
      }
    },
  };

  return {
    open,
    upgrade,
    standIn,
    close() {
      for (const ws of connections) ws.terminate();
      wss.close();
    },
  };
}

function parse(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
