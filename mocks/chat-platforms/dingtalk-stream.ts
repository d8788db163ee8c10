/**
 * A stand-in for DingTalk's Stream mode gateway, as the official Node SDK (`dingtalk-stream`)
 * speaks to it:
 *
 *   POST /v1.0/gateway/connections/open   {clientId, clientSecret, ua, subscriptions}
 *        → {endpoint, ticket}              (wrong AppKey or AppSecret: 401)
 *   WebSocket <endpoint>?ticket=…           the ticket works once; then DingTalk sends frames
 *        {specVersion, type, headers: {appId, connectionId, contentType, messageId, time,
 *         topic}, data}  — `type: CALLBACK` on topic `/v1.0/im/bot/messages/get` carries a
 *        robot message (the JSON the HTTP robot POSTs) in `data`; `type: SYSTEM` topic
 *        `disconnect` announces the server is closing the connection.
 *   the app answers each frame {code: 200, headers: {contentType, messageId}, message, data}.
 *
 * Unlike DingTalk it does not send an unacknowledged message again by itself: a test does
 * (`pushAgain`). Never imports src/.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

export const DINGTALK_GATEWAY_PATH = '/v1.0/gateway/connections/open';
export const DINGTALK_ROBOT_TOPIC = '/v1.0/im/bot/messages/get';
const STREAM_PATH = '/dingtalk/stream';

export interface DingtalkStreamStandIn {
  /** Connections opened so far (tickets spent). */
  opened(): number;
  /** Whether an app is connected and subscribed to robot messages now. */
  connected(): boolean;
  /** Sends a robot message frame; resolves with the app's acknowledgement frame. */
  push(message: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Ends every connection as DingTalk does: a `disconnect` system frame, then the close. */
  drop(): void;
}

interface Connection {
  socket: WebSocket;
  id: string;
  subscribed: boolean;
}

export function dingtalkStreamGateway(options: {
  credentials: () => { appKey?: string; appSecret: string } | undefined;
  base: () => string;
  now: () => number;
}) {
  const tickets = new Map<string, { subscribed: boolean }>();
  const connections = new Set<Connection>();
  const waitingAcks = new Map<string, (frame: Record<string, unknown>) => void>();
  let opened = 0;
  const wss = new WebSocketServer({ noServer: true });

  function open(body: Record<string, unknown>): { status: number; body: unknown } {
    const credentials = options.credentials();
    if (
      credentials?.appKey === undefined ||
      body.clientId !== credentials.appKey ||
      body.clientSecret !== credentials.appSecret
    ) {
      return {
        status: 401,
        body: { code: 'InvalidAuthentication', message: 'clientId or clientSecret is invalid' },
      };
    }
    const subscriptions = Array.isArray(body.subscriptions) ? body.subscriptions : [];
    const subscribed = subscriptions.some(
      (s) =>
        typeof s === 'object' &&
        s !== null &&
        (s as Record<string, unknown>).type === 'CALLBACK' &&
        (s as Record<string, unknown>).topic === DINGTALK_ROBOT_TOPIC,
    );
    const ticket = randomBytes(16).toString('hex');
    tickets.set(ticket, { subscribed });
    const endpoint = `${options.base().replace(/^http/, 'ws')}${STREAM_PATH}`;
    return { status: 200, body: { endpoint, ticket } };
  }

  function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'http://mock.invalid');
    if (url.pathname !== STREAM_PATH) return false;
    const ticket = tickets.get(url.searchParams.get('ticket') ?? '');
    if (ticket === undefined) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n');
      return true;
    }
    tickets.delete(url.searchParams.get('ticket') ?? '');
    wss.handleUpgrade(request, socket, head, (ws) => {
      opened += 1;
      const connection: Connection = {
        socket: ws,
        id: randomBytes(8).toString('hex'),
        subscribed: ticket.subscribed,
      };
      connections.add(connection);
      ws.on('close', () => connections.delete(connection));
      ws.on('message', (data) => {
        const frame = parse(String(data));
        const headers = frame.headers as Record<string, unknown> | undefined;
        const messageId = typeof headers?.messageId === 'string' ? headers.messageId : '';
        waitingAcks.get(messageId)?.(frame);
        waitingAcks.delete(messageId);
      });
    });
    return true;
  }

  const standIn: DingtalkStreamStandIn = {
    opened: () => opened,
    connected: () => [...connections].some((c) => c.subscribed),
    push(message) {
      const connection = [...connections].find((c) => c.subscribed);
      if (connection === undefined) {
        return Promise.reject(new Error('no app is connected to the DingTalk stream'));
      }
      const messageId = randomBytes(12).toString('hex');
      const acked = new Promise<Record<string, unknown>>((resolve) =>
        waitingAcks.set(messageId, resolve),
      );
      connection.socket.send(
        JSON.stringify({
          specVersion: '1.0',
          type: 'CALLBACK',
          headers: {
            appId: 'drainctl-app',
            connectionId: connection.id,
            contentType: 'application/json',
            messageId,
            time: String(options.now()),
            topic: DINGTALK_ROBOT_TOPIC,
          },
          data: JSON.stringify(message),
        }),
      );
      return acked;
    },
    drop() {
      for (const { socket, id } of connections) {
        socket.send(
          JSON.stringify({
            specVersion: '1.0',
            type: 'SYSTEM',
            headers: {
              connectionId: id,
              contentType: 'application/json',
              messageId: randomBytes(12).toString('hex'),
              time: String(options.now()),
              topic: 'disconnect',
            },
            data: JSON.stringify({ reason: 'server maintenance' }),
          }),
        );
        socket.close(1000, 'disconnect');
      }
    },
  };

  return {
    open,
    upgrade,
    standIn,
    close() {
      for (const { socket } of connections) socket.terminate();
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
