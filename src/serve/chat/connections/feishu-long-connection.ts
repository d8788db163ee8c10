/**
 * Feishu/Lark's long connection (长连接) through the official SDK's `WSClient`
 * (`@larksuiteoapi/node-sdk`): the SDK asks `<apiBaseUrl>/callback/ws/endpoint` with the app id
 * and secret for a WebSocket URL, speaks Feishu's protobuf frames over it, joins an event sent
 * in fragments, answers each event frame and reconnects as Feishu's ClientConfig says. Each
 * event is the same schema 2.0 JSON the HTTP endpoint decrypts, read by `parseFeishuEvent`,
 * claimed, and acted on like an HTTP one; answers go through the reply-message API.
 *
 * The SDK hands each event to a dispatcher (`invoke`); serve's is the inbox, not the SDK's
 * EventDispatcher, so the event reaches `parseFeishuEvent` whole. A claim that cannot be stored
 * makes `invoke` throw, and the SDK answers that frame with 500 so Feishu sends it again. The
 * SDK's log lines go to serve's logger (its debug lines, which hold whole events, are dropped).
 */
import { LoggerLevel, WSClient } from '@larksuiteoapi/node-sdk';
import { parseFeishuEvent } from '../../../chat/index.js';
import type { Logger } from '../../../log/index.js';
import type { ChatConnection, ConnectionOptions } from './chat-connection.js';

const DEFAULT_API_BASE_URL = 'https://open.feishu.cn';

export function openFeishuLongConnection(
  credentials: { appId: string; appSecret: string },
  options: ConnectionOptions,
): ChatConnection {
  const client = new WSClient({
    appId: credentials.appId,
    appSecret: credentials.appSecret,
    domain: (options.apiBaseUrl ?? DEFAULT_API_BASE_URL).replace(/\/+$/, ''),
    logger: feishuLogger(options.logger),
    loggerLevel: LoggerLevel.info,
    onReady: () =>
      options.logger.info({ platform: 'feishu' }, 'chat: the Feishu long connection is up'),
    onReconnecting: () =>
      options.logger.info({ platform: 'feishu' }, 'chat: the Feishu long connection reconnecting'),
    onError: (error: Error) =>
      options.logger.error(
        { err: error, platform: 'feishu' },
        'chat: Feishu refused the long connection (check DRAINCTL_FEISHU_APP_ID and DRAINCTL_FEISHU_APP_SECRET); Feishu is off until serve restarts',
      ),
  });
  const dispatcher = {
    async invoke(event: unknown): Promise<undefined> {
      const parsed =
        typeof event === 'object' && event !== null
          ? parseFeishuEvent(event as Record<string, unknown>)
          : parseFeishuEvent({});
      await options.inbox.receive('feishu', parsed);
      return undefined;
    },
  };
  // Not awaited: serve listens without waiting for Feishu; the SDK retries by itself.
  void client.start({ eventDispatcher: dispatcher as never });
  return {
    platform: 'feishu',
    close() {
      client.close();
      return Promise.resolve();
    },
  };
}

/** The SDK's logger interface on serve's logger. */
function feishuLogger(logger: Logger) {
  const line = (parts: unknown[]) =>
    `chat: feishu long connection: ${parts.flat().map(String).join(' ')}`;
  return {
    error: (...parts: unknown[]) => logger.warn({ platform: 'feishu' }, line(parts)),
    warn: (...parts: unknown[]) => logger.warn({ platform: 'feishu' }, line(parts)),
    info: (...parts: unknown[]) => logger.debug({ platform: 'feishu' }, line(parts)),
    debug: () => undefined,
    trace: () => undefined,
  };
}
