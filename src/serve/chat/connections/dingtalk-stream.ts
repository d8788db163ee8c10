/**
 * DingTalk Stream mode through the official SDK (`dingtalk-stream`): the robot's messages arrive
 * on a WebSocket serve opens, so DingTalk needs no public endpoint and the body needs no
 * signature (the connection is authenticated with the AppKey and AppSecret). Each message on
 * the robot topic is the same JSON the HTTP robot POSTs, parsed by `parseDingtalkMessage`,
 * claimed, acknowledged, and answered through its sessionWebhook like an HTTP one.
 *
 * Two of the SDK's steps are replaced, keeping its protocol: `getEndpoint`, because it posts to
 * a gateway URL it hard-codes (here `<apiBaseUrl>/v1.0/gateway/connections/open`, so the
 * stand-in in mocks/ can answer), and opening the socket and `disconnect`, because they write
 * to the console and serve's stdout carries only its `listening=` line (here: the logger).
 * The frames, the acknowledgements and the reconnect loop are the SDK's.
 */
import { DWClient, type DWClientDownStream, TOPIC_ROBOT } from 'dingtalk-stream';
import WebSocket from 'ws';
import { parseDingtalkMessage } from '../../../chat/index.js';
import type { Logger } from '../../../log/index.js';
import {
  type ChatConnection,
  ChatConnectionError,
  type ConnectionOptions,
} from './chat-connection.js';

const DEFAULT_API_BASE_URL = 'https://api.dingtalk.com';
const GATEWAY_PATH = '/v1.0/gateway/connections/open';
const GATEWAY_TIMEOUT_MS = 10_000;
/** The SDK's own pause before it reconnects. */
const RECONNECT_MS = 1000;
/** How long close() waits for the socket's closing handshake. */
const CLOSE_WAIT_MS = 2000;

class GatewayClient extends DWClient {
  closed = false;
  /** Whether the last gateway request failed (so a failing gateway is logged once, not each second). */
  private failing = false;

  constructor(
    credentials: { clientId: string; clientSecret: string },
    private readonly gatewayUrl: string,
    private readonly logger: Logger,
  ) {
    // No client pings (the socket is opened below, not by the SDK): DingTalk pings, the SDK answers.
    super({ ...credentials, keepAlive: false, ua: 'drainctl' });
    // Robot messages only, not the SDK's default subscription to every event.
    this.config.subscriptions = [];
  }

  override async getEndpoint(): Promise<this> {
    // The SDK's retry timer may fire after close(): throwing here ends its reconnecting.
    if (this.closed) throw new ChatConnectionError('dingtalk', 'the stream is closed');
    const { clientId, clientSecret, ua, subscriptions } = this.config;
    try {
      const response = await fetch(this.gatewayUrl, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ clientId, clientSecret, ua, subscriptions }),
        signal: AbortSignal.timeout(GATEWAY_TIMEOUT_MS),
      });
      const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      const { endpoint, ticket } = answer;
      if (!response.ok || typeof endpoint !== 'string' || typeof ticket !== 'string') {
        throw new ChatConnectionError(
          'dingtalk',
          `the gateway answered ${response.status} without an endpoint and ticket`,
        );
      }
      if (this.closed) throw new ChatConnectionError('dingtalk', 'the stream is closed');
      this.sdk.dw_url = `${endpoint}?ticket=${encodeURIComponent(ticket)}`;
      if (this.failing) this.logger.info('chat: the DingTalk stream gateway answers again');
      this.failing = false;
      return this;
    } catch (error) {
      if (!this.failing && !this.closed) {
        this.logger.warn(
          { err: error, platform: 'dingtalk' },
          'chat: the DingTalk stream gateway could not be reached; retrying every second',
        );
      }
      this.failing = true;
      throw error;
    }
  }

  /** The SDK's connection state, private in its types; written as its own `_connect` does. */
  private get sdk(): SdkState {
    return this as unknown as SdkState;
  }

  get webSocket(): WebSocket | undefined {
    return this.sdk.socket;
  }

  override _connect(): Promise<void> {
    const sdk = this.sdk;
    return new Promise((resolve, reject) => {
      sdk.userDisconnect = false;
      const socket = new WebSocket(sdk.dw_url ?? '', { rejectUnauthorized: true });
      sdk.socket = socket;
      let opened = false;
      socket.on('open', () => {
        opened = true;
        this.connected = true;
        this.logger.info({ platform: 'dingtalk' }, 'chat: the DingTalk stream is connected');
        resolve();
      });
      socket.on('message', (data) => this.onDownStream(String(data)));
      socket.on('close', () => {
        this.connected = false;
        this.registered = false;
        // A socket that never opened has rejected, and the SDK's connect() retries that one.
        if (opened && !sdk.userDisconnect && !this.closed) {
          this.logger.info(
            { platform: 'dingtalk' },
            'chat: the DingTalk stream closed; reconnecting in a second',
          );
          this.reconnecting = true;
          setTimeout(() => void this.connect(), RECONNECT_MS);
        }
      });
      socket.on('error', (error) => {
        this.logger.warn({ err: error, platform: 'dingtalk' }, 'chat: DingTalk stream error');
        socket.terminate();
        reject(error);
      });
    });
  }

  override disconnect(): void {
    this.sdk.userDisconnect = true;
    this.sdk.socket?.close();
  }
}

interface SdkState {
  socket?: WebSocket;
  dw_url?: string;
  userDisconnect: boolean;
}

export async function openDingtalkStream(
  credentials: { clientId: string; clientSecret: string },
  options: ConnectionOptions,
): Promise<ChatConnection> {
  const base = (options.apiBaseUrl ?? DEFAULT_API_BASE_URL).replace(/\/+$/, '');
  const client = new GatewayClient(credentials, `${base}${GATEWAY_PATH}`, options.logger);
  client.registerCallbackListener(TOPIC_ROBOT, (message: DWClientDownStream) => {
    void receive(client, message, options);
  });
  // Resolves after the first attempt, connected or not: the SDK keeps retrying on its own.
  await client.connect();
  return {
    platform: 'dingtalk',
    async close() {
      client.closed = true;
      const socket = client.webSocket;
      client.disconnect();
      if (socket === undefined || socket.readyState === socket.CLOSED) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          socket.terminate();
          resolve();
        }, CLOSE_WAIT_MS);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/**
 * One robot message: claimed, then acknowledged (DingTalk sends an unacknowledged message
 * again), then acted on by the inbox. A claim that could not be stored is not acknowledged, so
 * DingTalk delivers it again.
 */
async function receive(
  client: GatewayClient,
  message: DWClientDownStream,
  options: ConnectionOptions,
): Promise<void> {
  const messageId = message.headers?.messageId;
  try {
    const receipt = await options.inbox.receive(
      'dingtalk',
      parseDingtalkMessage(typeof message.data === 'string' ? message.data : ''),
    );
    if (typeof messageId === 'string' && messageId !== '') {
      client.socketCallBackResponse(messageId, { receipt });
    }
  } catch (error) {
    options.logger.warn(
      { err: error, platform: 'dingtalk', messageId },
      'chat: a DingTalk stream message could not be taken; DingTalk will send it again',
    );
  }
}
