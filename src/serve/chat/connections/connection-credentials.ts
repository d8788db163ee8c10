/**
 * What each connection mode authenticates with, from the environment only: DingTalk Stream the
 * robot's AppKey and AppSecret, Slack Socket Mode an app-level token (`xapp-…`, scope
 * `connections:write`), Feishu's long connection the app id and secret. A platform serve.yaml
 * puts in connection mode without them is refused at start-up, naming what is missing.
 */
import type { ConnectionPlatform } from '../../../chat/index.js';
import { InvalidInputError } from '../../../errors/index.js';
import { registerSecret } from '../../../log/index.js';

export interface ConnectionCredentials {
  slack?: { appToken: string };
  dingtalk?: { clientId: string; clientSecret: string };
  feishu?: { appId: string; appSecret: string };
}

export const CHAT_CONNECTION_VARIABLES = {
  slack: { appToken: 'DRAINCTL_SLACK_APP_TOKEN' },
  dingtalk: { clientId: 'DRAINCTL_DINGTALK_APP_KEY', clientSecret: 'DRAINCTL_DINGTALK_APP_SECRET' },
  feishu: { appId: 'DRAINCTL_FEISHU_APP_ID', appSecret: 'DRAINCTL_FEISHU_APP_SECRET' },
} as const;

/** Feishu's app ids; the SDK refuses to connect with any other. */
const FEISHU_APP_ID = /^cli_[0-9a-fA-F]{16}$/;

export function connectionCredentialsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  platforms: readonly ConnectionPlatform[],
): ConnectionCredentials {
  const credentials: Record<string, Record<string, string>> = {};
  for (const platform of platforms) {
    const variables: Record<string, string> = CHAT_CONNECTION_VARIABLES[platform];
    const values: Record<string, string> = {};
    const missing: string[] = [];
    for (const [field, variable] of Object.entries(variables)) {
      const value = env[variable];
      if (value === undefined || value === '') missing.push(variable);
      else values[field] = value;
    }
    if (missing.length > 0) {
      throw new InvalidInputError(
        `chat: ${platform} is in connection mode without its credentials`,
        {
          path: missing.join(', '),
          expected: `all of ${Object.values(variables).join(', ')} (or chat.platforms.${platform}.mode: http)`,
          found: `${missing.join(', ')} unset`,
        },
      );
    }
    if (platform === 'feishu' && !FEISHU_APP_ID.test(values.appId ?? '')) {
      // The SDK would log it and never connect; refused here, the operator sees it at once.
      throw new InvalidInputError('chat: the Feishu app id is not one Feishu issues', {
        path: CHAT_CONNECTION_VARIABLES.feishu.appId,
        expected: 'cli_ and 16 hex digits',
        found: `${(values.appId ?? '').length} characters`,
      });
    }
    for (const value of Object.values(values)) registerSecret(value);
    credentials[platform] = values;
  }
  return credentials as ConnectionCredentials;
}
