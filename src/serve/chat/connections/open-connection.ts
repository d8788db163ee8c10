/**
 * Opens the connection of a platform serve.yaml puts in connection mode, with its SDK: each
 * adapter (and so each SDK) is imported here, when its mode is on, and not before.
 */
import type { ConnectionPlatform } from '../../../chat/index.js';
import {
  type ChatConnection,
  ChatConnectionError,
  type ConnectionOptions,
} from './chat-connection.js';
import type { ConnectionCredentials } from './connection-credentials.js';

/** Opens `platform`'s connection with its SDK, loaded now and not before. */
export async function openConnection(
  platform: ConnectionPlatform,
  credentials: ConnectionCredentials,
  options: ConnectionOptions,
): Promise<ChatConnection> {
  switch (platform) {
    case 'dingtalk': {
      const { openDingtalkStream } = await import('./dingtalk-stream.js');
      return openDingtalkStream(need(credentials.dingtalk, platform), options);
    }
    case 'slack': {
      const { openSlackSocketMode } = await import('./slack-socket-mode.js');
      return openSlackSocketMode(need(credentials.slack, platform), options);
    }
    case 'feishu': {
      const { openFeishuLongConnection } = await import('./feishu-long-connection.js');
      return openFeishuLongConnection(need(credentials.feishu, platform), options);
    }
  }
}

function need<T>(value: T | undefined, platform: ConnectionPlatform): T {
  // connectionCredentialsFromEnv has refused a platform in connection mode without them.
  if (value === undefined) throw new ChatConnectionError(platform, 'no connection credentials');
  return value;
}
