/**
 * Sends answers and progress into the thread a command came from, through each platform's
 * documented reply path: Slack `chat.postMessage` with the bot token (else the command's
 * `response_url`, which takes 5 messages in 30 minutes), DingTalk the message's
 * `sessionWebhook`, Feishu the reply-message API (tenant_access_token from the app's id and
 * secret), WeCom `message/send` (access_token from the corp id and the application's secret).
 * Base URLs come from serve.yaml (`chat.platforms.<p>.apiBaseUrl`) so tests point them at
 * mocks/chat-platforms.
 */
import {
  type ChatConfig,
  type ChatPlatform,
  type ChatReply,
  dingtalkReply,
  feishuReply,
  isDingtalkSessionWebhook,
  type ReplyHandle,
  slackReply,
  wecomReply,
} from '../../chat/index.js';
import { DrainctlError } from '../../errors/index.js';
import { type Logger, redact } from '../../log/index.js';
import { platformBaseUrl, requestPlatformJson } from './platform-request.js';
import type { ChatReplyCredentials } from './reply-credentials.js';

/** A platform refused or could not take a reply: logged once by the caller. */
export class ChatReplyError extends DrainctlError {
  constructor(platform: ChatPlatform, what: string, options: { cause?: unknown } = {}) {
    super('CHAT_REPLY_FAILED', `${platform}: ${what}`, options);
  }
}

export interface ReplySenderOptions {
  config: ChatConfig;
  credentials: ChatReplyCredentials;
  now: () => number;
  logger: Logger;
  fetch?: typeof fetch;
}

interface CachedToken {
  token: string;
  expiresAtMs: number;
}

export class ReplySender {
  private readonly tokens = new Map<'feishu' | 'wecom', CachedToken>();
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ReplySenderOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /**
   * Send `reply` to the thread of `handle`. Resolves with the handle to use next time: a Slack
   * message posted outside a thread starts one, and the progress that follows goes into it.
   */
  async send(handle: ReplyHandle, unmasked: ChatReply): Promise<ReplyHandle> {
    // What people read is masked like all output; the token requests carry secrets on purpose.
    const reply = redact(unmasked);
    switch (handle.platform) {
      case 'slack':
        return this.sendSlack(handle, reply);
      case 'dingtalk':
        if (
          handle.sessionWebhookExpiresAtMs !== undefined &&
          handle.sessionWebhookExpiresAtMs <= this.options.now()
        ) {
          throw new ChatReplyError('dingtalk', 'the sessionWebhook of the conversation expired');
        }
        if (
          !isDingtalkSessionWebhook(
            handle.sessionWebhook,
            this.options.config.platforms.dingtalk?.apiBaseUrl,
          )
        ) {
          throw new ChatReplyError('dingtalk', 'the sessionWebhook is not on DingTalk');
        }
        await this.post('dingtalk', handle.sessionWebhook, dingtalkReply(reply), {}, errcodeOk);
        return handle;
      case 'feishu': {
        const token = await this.feishuToken();
        const url = `${this.base('feishu')}/open-apis/im/v1/messages/${encodeURIComponent(handle.messageId)}/reply`;
        await this.post('feishu', url, feishuReply(reply), bearer(token), codeOk);
        return handle;
      }
      case 'wecom': {
        const token = await this.wecomToken();
        const url = `${this.base('wecom')}/cgi-bin/message/send?access_token=${encodeURIComponent(token)}`;
        const agentId = handle.agentId ?? this.options.credentials.wecom?.agentId;
        await this.post('wecom', url, wecomReply(reply, handle.toUser, agentId), {}, errcodeOk);
        return handle;
      }
    }
  }

  private async sendSlack(
    handle: Extract<ReplyHandle, { platform: 'slack' }>,
    reply: ChatReply,
  ): Promise<ReplyHandle> {
    const botToken = this.options.credentials.slack?.botToken;
    if (botToken === undefined) {
      if (handle.responseUrl === undefined) {
        throw new ChatReplyError(
          'slack',
          'no response_url and no bot token (DRAINCTL_SLACK_BOT_TOKEN) to answer with',
        );
      }
      await this.post(
        'slack',
        handle.responseUrl,
        { ...slackReply(reply), replace_original: false },
        {},
        () => undefined,
      );
      return handle;
    }
    const body = {
      ...slackReply(reply),
      channel: handle.channel,
      ...(handle.threadTs === undefined ? {} : { thread_ts: handle.threadTs }),
    };
    const answer = await this.post(
      'slack',
      `${this.base('slack')}/api/chat.postMessage`,
      body,
      bearer(botToken),
      (json) => (json.ok === true ? undefined : String(json.error ?? 'not ok')),
    );
    const ts = typeof answer.ts === 'string' ? answer.ts : undefined;
    return handle.threadTs === undefined && ts !== undefined ? { ...handle, threadTs: ts } : handle;
  }

  private base(platform: ChatPlatform): string {
    return platformBaseUrl(this.options.config, platform);
  }

  private async feishuToken(): Promise<string> {
    const credentials = this.options.credentials.feishu;
    if (credentials === undefined) {
      throw new ChatReplyError(
        'feishu',
        'no app id and secret (DRAINCTL_FEISHU_APP_ID, DRAINCTL_FEISHU_APP_SECRET) to reply with',
      );
    }
    return this.cachedToken('feishu', async () => {
      const json = await this.post(
        'feishu',
        `${this.base('feishu')}/open-apis/auth/v3/tenant_access_token/internal`,
        { app_id: credentials.appId, app_secret: credentials.appSecret },
        {},
        codeOk,
      );
      return tokenOf('feishu', json.tenant_access_token, json.expire);
    });
  }

  private async wecomToken(): Promise<string> {
    const credentials = this.options.credentials.wecom;
    if (credentials === undefined) {
      throw new ChatReplyError(
        'wecom',
        'no application secret (DRAINCTL_WECOM_SECRET) to send messages with',
      );
    }
    return this.cachedToken('wecom', async () => {
      const url = `${this.base('wecom')}/cgi-bin/gettoken?corpid=${encodeURIComponent(credentials.corpId)}&corpsecret=${encodeURIComponent(credentials.secret)}`;
      const json = await this.request('wecom', url, { method: 'GET' }, errcodeOk);
      return tokenOf('wecom', json.access_token, json.expires_in);
    });
  }

  /** A token until a minute before the platform says it expires (both say 2 hours). */
  private async cachedToken(
    platform: 'feishu' | 'wecom',
    fetchToken: () => Promise<{ token: string; lifetimeSeconds: number }>,
  ): Promise<string> {
    const cached = this.tokens.get(platform);
    if (cached !== undefined && cached.expiresAtMs > this.options.now()) return cached.token;
    const fresh = await fetchToken();
    this.tokens.set(platform, {
      token: fresh.token,
      expiresAtMs: this.options.now() + Math.max(0, fresh.lifetimeSeconds - 60) * 1000,
    });
    return fresh.token;
  }

  private post(
    platform: ChatPlatform,
    url: string,
    body: unknown,
    headers: Record<string, string>,
    problem: (json: Record<string, unknown>) => string | undefined,
  ): Promise<Record<string, unknown>> {
    return this.request(
      platform,
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
        body: JSON.stringify(body),
      },
      problem,
    );
  }

  private request(
    platform: ChatPlatform,
    url: string,
    init: RequestInit,
    problem: (json: Record<string, unknown>) => string | undefined,
  ): Promise<Record<string, unknown>> {
    return requestPlatformJson(
      this.fetch,
      url,
      init,
      problem,
      (what, cause) => new ChatReplyError(platform, what, cause === undefined ? {} : { cause }),
    );
  }
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** DingTalk and WeCom: `{errcode: 0}` is success. */
function errcodeOk(json: Record<string, unknown>): string | undefined {
  return json.errcode === undefined || json.errcode === 0
    ? undefined
    : `errcode ${String(json.errcode)} ${String(json.errmsg ?? '')}`.trim();
}

/** Feishu: `{code: 0}` is success. */
function codeOk(json: Record<string, unknown>): string | undefined {
  return json.code === 0 ? undefined : `code ${String(json.code)} ${String(json.msg ?? '')}`.trim();
}

function tokenOf(
  platform: ChatPlatform,
  token: unknown,
  lifetime: unknown,
): { token: string; lifetimeSeconds: number } {
  if (typeof token !== 'string' || token === '') {
    throw new ChatReplyError(platform, 'the access token answer holds no token');
  }
  return { token, lifetimeSeconds: typeof lifetime === 'number' ? lifetime : 7200 };
}
