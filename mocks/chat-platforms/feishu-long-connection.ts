/**
 * A stand-in for Feishu/Lark's long connection (长连接), as the official SDK's `WSClient`
 * (`@larksuiteoapi/node-sdk`) speaks to it:
 *
 *   POST /callback/ws/endpoint   {AppID, AppSecret}
 *        → {code: 0, data: {URL, ClientConfig: {PingInterval, ReconnectCount,
 *           ReconnectInterval, ReconnectNonce}}}   (another app id or secret: code 514)
 *   WebSocket <URL>              each URL connects once; binary protobuf frames `pbbp2.Frame`
 *        {SeqID 1, LogID 2, service 3, method 4 (0 control, 1 data), headers 5 (key 1,
 *         value 2), payload_encoding 6, payload_type 7, payload 8, LogIDNew 9}: an event is a
 *        data frame with headers type=event, message_id, sum, seq, trace_id and the event's
 *        JSON as payload; the app answers it with the same frame, payload {"code": 200}; the
 *        app's ping (a control frame, type=ping) is answered with a pong carrying ClientConfig.
 *
 * The frames are encoded here by hand from that schema, not with the SDK's code. Unlike Feishu
 * it does not send an unanswered event again by itself: a test does. A connection counts as
 * connected once the app has pinged over it: the SDK pings as the socket opens but listens for
 * frames only a few promise turns later, so an event sent on the heels of the handshake (in the
 * same read as the 101) is dropped by the SDK — Feishu would send it again, this stand-in would
 * wait for ever. Never imports src/.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

export const FEISHU_ENDPOINT_PATH = '/callback/ws/endpoint';
const SOCKET_PATH = '/feishu/ws';
const SERVICE_ID = 7;
/** Seconds, as Feishu gives them; a quick reconnect keeps tests short. */
const CLIENT_CONFIG = {
  PingInterval: 120,
  ReconnectCount: -1,
  ReconnectInterval: 1,
  ReconnectNonce: 0,
};

export interface FeishuLongConnectionStandIn {
  opened(): number;
  connected(): boolean;
  /** Sends an event in one data frame; resolves with the app's answer (headers and payload). */
  push(
    event: Record<string, unknown>,
  ): Promise<{ headers: Record<string, string>; payload: string }>;
  /** Closes every connection, as Feishu does when it moves a connection. */
  drop(): void;
}

export interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  method: number;
  headers: { key: string; value: string }[];
  payload?: Uint8Array;
}

export function feishuLongConnectionGateway(options: {
  credentials: () => { appId: string; appSecret: string } | undefined;
  base: () => string;
}) {
  const tickets = new Set<string>();
  const connections = new Set<WebSocket>();
  /** Connections the app has pinged over: it listens for events on them. */
  const pinged = new WeakSet<WebSocket>();
  const answers = new Map<string, { ws: WebSocket; answer: (frame: Frame) => void }>();
  let opened = 0;
  const wss = new WebSocketServer({ noServer: true });

  function open(body: Record<string, unknown>): Record<string, unknown> {
    const credentials = options.credentials();
    if (
      credentials === undefined ||
      body.AppID !== credentials.appId ||
      body.AppSecret !== credentials.appSecret
    ) {
      return { code: 514, msg: 'auth failed', data: {} };
    }
    const ticket = randomBytes(16).toString('hex');
    tickets.add(ticket);
    const url = `${options.base().replace(/^http/, 'ws')}${SOCKET_PATH}?device_id=stand-in&service_id=${SERVICE_ID}&ticket=${ticket}`;
    return { code: 0, msg: 'ok', data: { URL: url, ClientConfig: CLIENT_CONFIG } };
  }

  function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'http://mock.invalid');
    if (url.pathname !== SOCKET_PATH) return false;
    if (!tickets.delete(url.searchParams.get('ticket') ?? '')) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n');
      return true;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      opened += 1;
      connections.add(ws);
      ws.on('close', () => {
        connections.delete(ws);
        for (const [id, waiting] of answers) {
          if (waiting.ws === ws) answers.delete(id);
        }
      });
      ws.on('message', (data: Buffer) => {
        const frame = decodeFrame(new Uint8Array(data));
        const headers = Object.fromEntries(frame.headers.map((h) => [h.key, h.value]));
        if (frame.method === 0 && headers.type === 'ping') {
          pinged.add(ws);
          ws.send(
            encodeFrame({
              ...frame,
              headers: [{ key: 'type', value: 'pong' }],
              payload: new TextEncoder().encode(JSON.stringify(CLIENT_CONFIG)),
            }),
          );
          return;
        }
        const id = headers.message_id ?? '';
        answers.get(id)?.answer(frame);
        answers.delete(id);
      });
    });
    return true;
  }

  const standIn: FeishuLongConnectionStandIn = {
    opened: () => opened,
    connected: () => [...connections].some((ws) => ws.readyState === ws.OPEN && pinged.has(ws)),
    push(event) {
      const ws = [...connections].find((c) => c.readyState === c.OPEN && pinged.has(c));
      if (ws === undefined) return Promise.reject(new Error('no app is connected to Feishu'));
      const messageId = randomBytes(12).toString('hex');
      const answered = new Promise<Frame>((resolve, reject) => {
        answers.set(messageId, { ws, answer: resolve });
        ws.once('close', () =>
          reject(new Error(`the connection closed before the app answered event ${messageId}`)),
        );
      });
      ws.send(
        encodeFrame({
          SeqID: 0,
          LogID: 0,
          service: SERVICE_ID,
          method: 1,
          headers: [
            { key: 'type', value: 'event' },
            { key: 'message_id', value: messageId },
            { key: 'sum', value: '1' },
            { key: 'seq', value: '0' },
            { key: 'trace_id', value: randomBytes(8).toString('hex') },
          ],
          payload: new TextEncoder().encode(JSON.stringify(event)),
        }),
      );
      return answered.then((frame) => ({
        headers: Object.fromEntries(frame.headers.map((h) => [h.key, h.value])),
        payload: new TextDecoder().decode(frame.payload ?? new Uint8Array()),
      }));
    },
    drop() {
      for (const ws of connections) ws.close(1000, 'moved');
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

// Protocol Buffers wire format, as much as pbbp2.Frame needs: varints (wire type 0) and
// length-delimited fields (wire type 2).

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return bytes;
}

function delimited(field: number, bytes: Uint8Array): number[] {
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
}

export function encodeFrame(frame: Frame): Uint8Array {
  const text = (value: string) => new TextEncoder().encode(value);
  const out: number[] = [
    ...varint(1 << 3),
    ...varint(frame.SeqID),
    ...varint(2 << 3),
    ...varint(frame.LogID),
    ...varint(3 << 3),
    ...varint(frame.service),
    ...varint(4 << 3),
    ...varint(frame.method),
  ];
  for (const { key, value } of frame.headers) {
    out.push(
      ...delimited(5, new Uint8Array([...delimited(1, text(key)), ...delimited(2, text(value))])),
    );
  }
  if (frame.payload !== undefined) out.push(...delimited(8, frame.payload));
  return new Uint8Array(out);
}

export function decodeFrame(bytes: Uint8Array): Frame {
  const frame: Frame = { SeqID: 0, LogID: 0, service: 0, method: 0, headers: [] };
  for (const [field, value] of fields(bytes)) {
    if (field === 1 && typeof value === 'number') frame.SeqID = value;
    else if (field === 2 && typeof value === 'number') frame.LogID = value;
    else if (field === 3 && typeof value === 'number') frame.service = value;
    else if (field === 4 && typeof value === 'number') frame.method = value;
    else if (field === 5 && value instanceof Uint8Array) {
      const header = { key: '', value: '' };
      for (const [f, v] of fields(value)) {
        if (v instanceof Uint8Array)
          header[f === 1 ? 'key' : 'value'] = new TextDecoder().decode(v);
      }
      frame.headers.push(header);
    } else if (field === 8 && value instanceof Uint8Array) frame.payload = value;
  }
  return frame;
}

function* fields(bytes: Uint8Array): Generator<[number, number | Uint8Array]> {
  let at = 0;
  const readVarint = () => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[at++] ?? 0;
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const tag = readVarint();
    if ((tag & 7) === 0) yield [tag >> 3, readVarint()];
    else if ((tag & 7) === 2) {
      const length = readVarint();
      yield [tag >> 3, bytes.subarray(at, at + length)];
      at += length;
    } else throw new Error(`wire type ${tag & 7} is not in pbbp2.Frame`);
  }
}
