/**
 * What serve needs to send replies on top of the request-checking secrets: Slack's bot token
 * (optional: without it the command's response_url answers), Feishu's app id and secret (its
 * reply API takes a tenant_access_token), WeCom's application secret and agent id (message/send
 * takes an access_token; the corp id is the checking secret's). Environment only, like the
 * checking secrets, and each value is registered so it never reaches a log.
 */
import type { ChatSecrets, ConnectionPlatform } from '../../chat/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { registerSecret } from '../../log/index.js';

export interface ChatReplyCredentials {
  slack?: { botToken: string };
  feishu?: { appId: string; appSecret: string };
  wecom?: { corpId: string; secret: string; agentId?: string };
}

export const CHAT_REPLY_VARIABLES = {
  slackBotToken: 'DRAINCTL_SLACK_BOT_TOKEN',
  feishuAppId: 'DRAINCTL_FEISHU_APP_ID',
  feishuAppSecret: 'DRAINCTL_FEISHU_APP_SECRET',
  wecomSecret: 'DRAINCTL_WECOM_SECRET',
  wecomAgentId: 'DRAINCTL_WECOM_AGENT_ID',
} as const;

/** Throws InvalidInputError for Feishu's id without its secret or the other way round. */
export function chatReplyCredentialsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  secrets: ChatSecrets,
  /** Platforms in connection mode: enabled without their HTTP secrets. */
  connected: readonly ConnectionPlatform[] = [],
): ChatReplyCredentials {
  const enabled = (platform: ConnectionPlatform) =>
    secrets[platform] !== undefined || connected.includes(platform);
  const value = (name: string) => {
    const found = env[name];
    return found === undefined || found === '' ? undefined : found;
  };
  const credentials: ChatReplyCredentials = {};
  const botToken = value(CHAT_REPLY_VARIABLES.slackBotToken);
  if (enabled('slack') && botToken !== undefined) {
    registerSecret(botToken);
    credentials.slack = { botToken };
  }
  const appId = value(CHAT_REPLY_VARIABLES.feishuAppId);
  const appSecret = value(CHAT_REPLY_VARIABLES.feishuAppSecret);
  if ((appId === undefined) !== (appSecret === undefined)) {
    const missing =
      appId === undefined ? CHAT_REPLY_VARIABLES.feishuAppId : CHAT_REPLY_VARIABLES.feishuAppSecret;
    throw new InvalidInputError('chat: feishu replies are half configured', {
      path: missing,
      expected: `both ${CHAT_REPLY_VARIABLES.feishuAppId} and ${CHAT_REPLY_VARIABLES.feishuAppSecret}`,
      found: `${missing} unset`,
    });
  }
  if (enabled('feishu') && appId !== undefined && appSecret !== undefined) {
    registerSecret(appSecret);
    credentials.feishu = { appId, appSecret };
  }
  const wecomSecret = value(CHAT_REPLY_VARIABLES.wecomSecret);
  if (secrets.wecom !== undefined && wecomSecret !== undefined) {
    registerSecret(wecomSecret);
    const agentId = value(CHAT_REPLY_VARIABLES.wecomAgentId);
    credentials.wecom = {
      corpId: secrets.wecom.corpId,
      secret: wecomSecret,
      ...(agentId === undefined ? {} : { agentId }),
    };
  }
  return credentials;
}
