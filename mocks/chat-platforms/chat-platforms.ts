/**
 * Stand-ins for Slack, DingTalk, Feishu/Lark and WeCom on loopback, for drainctl serve's chat
 * endpoints: each sends a user's message to drainctl as the platform does (signed and
 * encrypted, platform-signing.ts) and receives drainctl's replies on the platform's reply APIs,
 * recording them:
 *
 *   POST /slack/response/<id>                          a slash command's response_url
 *   POST /api/chat.postMessage                          Slack Web API (bot token), answers a ts
 *   GET  /api/usergroups.users.list?usergroup=           Slack user group members (bot token)
 *   POST /dingtalk/session/<id>                         a message's sessionWebhook
 *   GET  /gettoken?appkey=&appsecret=                    DingTalk access token (internal app)
 *   POST /topapi/v2/user/get?access_token=               DingTalk user details (dept_id_list)
 *   POST /open-apis/auth/v3/tenant_access_token/internal  Feishu tenant token (app id + secret)
 *   POST /open-apis/im/v1/messages/<id>/reply            Feishu reply (Bearer tenant token)
 *   GET  /cgi-bin/gettoken?corpid=&corpsecret=           WeCom access token
 *   POST /cgi-bin/message/send?access_token=             WeCom application message
 *   POST /v1.0/gateway/connections/open                  DingTalk Stream mode (dingtalk-stream.ts)
 *   POST /api/apps.connections.open                       Slack Socket Mode (slack-socket-mode.ts)
 *   POST /callback/ws/endpoint                            Feishu long connection (feishu-long-connection.ts)
 *
 * Point serve.yaml's `chat.platforms.<p>.apiBaseUrl` at `url`. Tokens are checked as the
 * platforms check them (a wrong app secret or token is refused with the platform's error body);
 * Slack's response_url takes five messages, as Slack's does. Never imports src/.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DINGTALK_GATEWAY_PATH,
  type DingtalkStreamStandIn,
  dingtalkStreamGateway,
} from './dingtalk-stream.js';
import {
  FEISHU_ENDPOINT_PATH,
  type FeishuLongConnectionStandIn,
  feishuLongConnectionGateway,
} from './feishu-long-connection.js';
import {
  type Delivery,
  dingtalkDelivery,
  feishuDelivery,
  slackDelivery,
  type WecomKeys,
  wecomDelivery,
  wecomUrlCheck,
} from './platform-signing.js';
import {
  SLACK_CONNECTIONS_OPEN_PATH,
  type SlackSocketModeStandIn,
  slackSocketModeGateway,
} from './slack-socket-mode.js';

export type PlatformName = 'slack' | 'dingtalk' | 'feishu' | 'wecom';

export interface ChatPlatformSecrets {
  /** `appToken` (xapp-…) opens Socket Mode connections. */
  slack?: {
    signingSecret: string;
    botToken?: string;
    appToken?: string;
    /** The workspace's user groups: id (S…) → member user ids. */
    userGroups?: Record<string, string[]>;
  };
  /** `appKey` (the robot's AppKey) opens the Stream mode connection. */
  dingtalk?: {
    appSecret: string;
    appKey?: string;
    /** The organization's people: userid → the department ids they are in. */
    departments?: Record<string, number[]>;
  };
  feishu?: { encryptKey: string; verificationToken: string; appId: string; appSecret: string };
  wecom?: WecomKeys & { secret: string };
}

/** One reply drainctl sent to a platform, as the platform received it. */
export interface RecordedReply {
  platform: PlatformName;
  /** The thread or conversation it went to (response_url id, channel:thread, session, message, user). */
  thread: string;
  body: Record<string, unknown>;
  /** The reply's text, flattened from the platform's format (for assertions). */
  text: string;
}

export interface SentMessage {
  delivery: Delivery;
  /** drainctl's HTTP answer. */
  status: number;
  answer: string;
  /** Where the replies to this message land (`RecordedReply.thread`). */
  thread: string;
}

export interface ChatPlatforms {
  /** Base URL of the reply APIs (every platform's `apiBaseUrl`). */
  url: string;
  replies(thread?: string): RecordedReply[];
  /** A user's message to drainctl at `drainctlUrl`: a slash command, a DM, an @-mention. */
  say(
    platform: PlatformName,
    user: string,
    text: string,
    options?: { channel?: string; thread?: string },
  ): Promise<SentMessage>;
  /** The delivery a `say` would send, unsent (to tamper with, or send twice). */
  delivery(
    platform: PlatformName,
    user: string,
    text: string,
    options?: { channel?: string; thread?: string },
  ): { delivery: Delivery; thread: string };
  send(delivery: Delivery): Promise<{ status: number; answer: string }>;
  /** WeCom's URL check, as when an administrator saves the callback URL. */
  wecomUrlCheck(echo: string): Promise<{ status: number; answer: string }>;
  /** A DingTalk robot message (the body the HTTP robot POSTs, unsigned), for Stream mode. */
  dingtalkMessage(
    user: string,
    text: string,
    options?: { channel?: string; thread?: string },
  ): { message: Record<string, unknown>; thread: string };
  /** DingTalk's Stream mode gateway (`/v1.0/gateway/connections/open` and its WebSocket). */
  dingtalkStream: DingtalkStreamStandIn;
  /** A Slack slash command's fields (the form `say` posts, unsigned), for Socket Mode. */
  slackCommand(
    user: string,
    text: string,
    options?: { channel?: string },
  ): { payload: Record<string, string>; thread: string };
  /** A Slack `app_mention` event callback; answers go to chat.postMessage (bot token). */
  slackMention(
    user: string,
    text: string,
    options?: { channel?: string },
  ): { payload: Record<string, unknown>; thread: string };
  /** Slack's Socket Mode (`apps.connections.open` and its WebSocket). */
  slackSocketMode: SlackSocketModeStandIn;
  /** A Feishu `im.message.receive_v1` event (schema 2.0, unencrypted), for the long connection. */
  feishuEvent(
    user: string,
    text: string,
    options?: { channel?: string },
  ): { event: Record<string, unknown>; thread: string };
  /** Feishu's long connection (`/callback/ws/endpoint` and its WebSocket). */
  feishuLongConnection: FeishuLongConnectionStandIn;
  close(): Promise<void>;
}

export async function startChatPlatforms(options: {
  /** drainctl serve's base URL (a function when serve starts after the stand-ins). */
  drainctlUrl: string | (() => string);
  secrets: ChatPlatformSecrets;
  now?: () => number;
}): Promise<ChatPlatforms> {
  const now = options.now ?? Date.now;
  const { secrets } = options;
  const replies: RecordedReply[] = [];
  const responseUrlUses = new Map<string, number>();
  const issuedTokens = new Set<string>();
  let counter = 0;
  const nextId = (prefix: string) => `${prefix}${(++counter).toString().padStart(6, '0')}`;

  const gateway = dingtalkStreamGateway({
    credentials: () => secrets.dingtalk,
    base: () => base,
    now,
  });
  const socketMode = slackSocketModeGateway({
    appToken: () => secrets.slack?.appToken,
    base: () => base,
  });
  const longConnection = feishuLongConnectionGateway({
    credentials: () => secrets.feishu,
    base: () => base,
  });
  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => route(request, body))
      .catch(() => json(500, { error: 'mock failure' }))
      .then((answer) => {
        response.writeHead(answer.status, { 'content-type': answer.type });
        response.end(answer.body);
      });
  });

  function record(platform: PlatformName, thread: string, body: Record<string, unknown>): void {
    replies.push({ platform, thread, body, text: flatten(body) });
  }

  function route(request: IncomingMessage, text: string): Answer {
    const url = new URL(request.url ?? '/', 'http://mock.invalid');
    const body = parseJson(text);
    const path = url.pathname;
    const responseUrl = /^\/slack\/response\/([\w-]+)$/.exec(path);
    const session = /^\/dingtalk\/session\/([\w-]+)$/.exec(path);
    const feishuReply = /^\/open-apis\/im\/v1\/messages\/([\w-]+)\/reply$/.exec(path);
    if (responseUrl !== null) {
      const id = responseUrl[1] ?? '';
      const uses = (responseUrlUses.get(id) ?? 0) + 1;
      responseUrlUses.set(id, uses);
      // Slack: a response_url takes up to five messages within 30 minutes.
      if (uses > 5) return plain(404, 'used_up');
      record('slack', `response:${id}`, body);
      return plain(200, 'ok');
    }
    if (path === '/api/chat.postMessage') {
      if (request.headers.authorization !== `Bearer ${secrets.slack?.botToken ?? '\u0000'}`) {
        return json(200, { ok: false, error: 'invalid_auth' });
      }
      const channel = String(body.channel ?? '');
      const ts = `${Math.floor(now() / 1000)}.${nextId('')}`;
      const thread = typeof body.thread_ts === 'string' ? body.thread_ts : ts;
      record('slack', `${channel}:${thread}`, body);
      return json(200, { ok: true, channel, ts });
    }
    if (path === '/api/usergroups.users.list') {
      if (request.headers.authorization !== `Bearer ${secrets.slack?.botToken ?? '\u0000'}`) {
        return json(200, { ok: false, error: 'invalid_auth' });
      }
      // Slack's Web API takes arguments in the query string or the form body alike.
      const id = url.searchParams.get('usergroup') ?? new URLSearchParams(text).get('usergroup');
      const users = id === null ? undefined : secrets.slack?.userGroups?.[id];
      if (users === undefined) return json(200, { ok: false, error: 'no_such_subteam' });
      return json(200, { ok: true, users });
    }
    if (path === '/gettoken') {
      const dingtalk = secrets.dingtalk;
      if (
        dingtalk?.appKey === undefined ||
        url.searchParams.get('appkey') !== dingtalk.appKey ||
        url.searchParams.get('appsecret') !== dingtalk.appSecret
      ) {
        return json(200, { errcode: 40089, errmsg: 'invalid appkey or appsecret' });
      }
      const token = randomBytes(16).toString('hex');
      issuedTokens.add(token);
      return json(200, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
    }
    if (path === '/topapi/v2/user/get') {
      if (!issuedTokens.has(url.searchParams.get('access_token') ?? '')) {
        return json(200, { errcode: 40014, errmsg: 'invalid access_token' });
      }
      const userid = String(body.userid ?? '');
      const departments = secrets.dingtalk?.departments?.[userid];
      if (departments === undefined) return json(200, { errcode: 60121, errmsg: 'no such user' });
      return json(200, {
        errcode: 0,
        errmsg: 'ok',
        result: { userid, name: userid, dept_id_list: departments },
        request_id: nextId('req'),
      });
    }
    if (path === FEISHU_ENDPOINT_PATH && request.method === 'POST') {
      return json(200, longConnection.open(body));
    }
    if (path === SLACK_CONNECTIONS_OPEN_PATH && request.method === 'POST') {
      return json(200, socketMode.open(request.headers.authorization));
    }
    if (path === DINGTALK_GATEWAY_PATH && request.method === 'POST') {
      const opened = gateway.open(body);
      return json(opened.status, opened.body);
    }
    if (session !== null) {
      record('dingtalk', `session:${session[1]}`, body);
      return json(200, { errcode: 0, errmsg: 'ok' });
    }
    if (path === '/open-apis/auth/v3/tenant_access_token/internal') {
      const feishu = secrets.feishu;
      if (
        feishu === undefined ||
        body.app_id !== feishu.appId ||
        body.app_secret !== feishu.appSecret
      ) {
        return json(200, { code: 10014, msg: 'app secret invalid' });
      }
      const token = `t-${randomBytes(8).toString('hex')}`;
      issuedTokens.add(token);
      return json(200, { code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 });
    }
    if (feishuReply !== null) {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (token === undefined || !issuedTokens.has(token)) {
        return json(400, {
          code: 99991663,
          msg: 'Invalid access token for authorization.',
        });
      }
      record('feishu', `message:${feishuReply[1]}`, body);
      return json(200, { code: 0, msg: 'success', data: { message_id: nextId('om_') } });
    }
    if (path === '/cgi-bin/gettoken') {
      const wecom = secrets.wecom;
      if (
        wecom === undefined ||
        url.searchParams.get('corpid') !== wecom.corpId ||
        url.searchParams.get('corpsecret') !== wecom.secret
      ) {
        return json(200, { errcode: 40001, errmsg: 'invalid credential' });
      }
      const token = randomBytes(16).toString('hex');
      issuedTokens.add(token);
      return json(200, {
        errcode: 0,
        errmsg: 'ok',
        access_token: token,
        expires_in: 7200,
      });
    }
    if (path === '/cgi-bin/message/send') {
      if (!issuedTokens.has(url.searchParams.get('access_token') ?? '')) {
        return json(200, { errcode: 40014, errmsg: 'invalid access_token' });
      }
      record('wecom', `user:${String(body.touser ?? '')}`, body);
      return json(200, { errcode: 0, errmsg: 'ok' });
    }
    return json(404, { error: 'no such mock endpoint' });
  }

  server.on('upgrade', (request, socket, head) => {
    if (
      !gateway.upgrade(request, socket, head) &&
      !socketMode.upgrade(request, socket, head) &&
      !longConnection.upgrade(request, socket, head)
    ) {
      socket.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${address.port}`;

  function delivery(
    platform: PlatformName,
    user: string,
    text: string,
    where: { channel?: string; thread?: string } = {},
  ): { delivery: Delivery; thread: string } {
    const nowMs = now();
    switch (platform) {
      case 'slack': {
        const slack = need(secrets.slack, 'slack');
        const { payload, thread } = slackCommand(user, text, where);
        return {
          delivery: slackDelivery(
            new URLSearchParams(payload).toString(),
            slack.signingSecret,
            nowMs,
          ),
          thread,
        };
      }
      case 'dingtalk': {
        const dingtalk = need(secrets.dingtalk, 'dingtalk');
        const { message, thread } = dingtalkMessage(user, text, where);
        return {
          delivery: dingtalkDelivery(JSON.stringify(message), dingtalk.appSecret, nowMs),
          thread,
        };
      }
      case 'feishu': {
        const feishu = need(secrets.feishu, 'feishu');
        const { event, thread } = feishuEvent(user, text, where);
        return { delivery: feishuDelivery(event, feishu.encryptKey, nowMs), thread };
      }
      case 'wecom': {
        const wecom = need(secrets.wecom, 'wecom');
        const xml = `<xml><ToUserName><![CDATA[${wecom.corpId}]]></ToUserName><FromUserName><![CDATA[${user}]]></FromUserName><CreateTime>${Math.floor(nowMs / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${text}]]></Content><MsgId>${BigInt(`0x${randomBytes(7).toString('hex')}`)}</MsgId><AgentID>1000002</AgentID></xml>`;
        return { delivery: wecomDelivery(xml, wecom, nowMs), thread: `user:${user}` };
      }
    }
  }

  /** The fields of the slash command `/drain text` (Slack's example command, our values). */
  function slackCommand(
    user: string,
    text: string,
    where: { channel?: string } = {},
  ): { payload: Record<string, string>; thread: string } {
    const channel = where.channel ?? 'C0DRAINCTL';
    const id = nextId('r');
    return {
      payload: {
        token: 'deprecated-verification-token',
        team_id: 'T0001',
        channel_id: channel,
        user_id: user,
        user_name: user.toLowerCase(),
        command: '/drain',
        text,
        response_url: `${base}/slack/response/${id}`,
        trigger_id: nextId('13345224609.738474920.'),
      },
      thread: `response:${id}`,
    };
  }

  /** An `app_mention` event callback (Slack's example event, our values). */
  function slackMention(
    user: string,
    text: string,
    where: { channel?: string } = {},
  ): { payload: Record<string, unknown>; thread: string } {
    const channel = where.channel ?? 'C0DRAINCTL';
    const ts = `${Math.floor(now() / 1000)}.${nextId('')}`;
    return {
      payload: {
        token: 'deprecated-verification-token',
        team_id: 'T0001',
        api_app_id: 'A0DRAINCTL',
        event: {
          type: 'app_mention',
          user,
          text: `<@U0DRAINCTL> ${text}`,
          ts,
          channel,
          event_ts: ts,
        },
        type: 'event_callback',
        event_id: `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
        event_time: Math.floor(now() / 1000),
      },
      thread: `${channel}:${ts}`,
    };
  }

  /** The `im.message.receive_v1` event Feishu sends for `text` (Feishu's example, our values). */
  function feishuEvent(
    user: string,
    text: string,
    where: { channel?: string } = {},
  ): { event: Record<string, unknown>; thread: string } {
    const feishu = need(secrets.feishu, 'feishu');
    const nowMs = now();
    const messageId = nextId('om_');
    const event = {
      schema: '2.0',
      header: {
        event_id: randomBytes(16).toString('hex'),
        token: feishu.verificationToken,
        create_time: String(nowMs),
        event_type: 'im.message.receive_v1',
        tenant_key: 'tenant',
        app_id: feishu.appId,
      },
      event: {
        sender: { sender_id: { open_id: user }, sender_type: 'user', tenant_key: 'tenant' },
        message: {
          message_id: messageId,
          chat_id: where.channel ?? 'oc_drainctl_ops',
          chat_type: 'group',
          message_type: 'text',
          content: JSON.stringify({ text: `@_user_1 ${text}` }),
          mentions: [{ key: '@_user_1', name: 'drainctl' }],
        },
      },
    };
    return { event, thread: `message:${messageId}` };
  }

  /** The robot message DingTalk sends for `text` (DingTalk's example body, our values). */
  function dingtalkMessage(
    user: string,
    text: string,
    where: { channel?: string; thread?: string } = {},
  ): { message: Record<string, unknown>; thread: string } {
    const nowMs = now();
    const session = where.thread ?? nextId('s');
    const message = {
      conversationId: where.channel ?? 'cidDrainctlOps==',
      atUsers: [{ dingtalkId: '$:LWCP_v1:$bot' }],
      chatbotUserId: '$:LWCP_v1:$bot',
      msgId: `msg${randomBytes(8).toString('hex')}`,
      senderNick: user,
      isAdmin: false,
      senderStaffId: user,
      sessionWebhookExpiredTime: nowMs + 90 * 60_000,
      createAt: nowMs,
      conversationType: '2',
      senderId: `$:LWCP_v1:$${user}`,
      conversationTitle: 'ops',
      isInAtList: true,
      sessionWebhook: `${base}/dingtalk/session/${session}`,
      text: { content: ` ${text}` },
      robotCode: 'dingdrainctl',
      msgtype: 'text',
    };
    return { message, thread: `session:${session}` };
  }

  async function send(sent: Delivery): Promise<{ status: number; answer: string }> {
    const target =
      typeof options.drainctlUrl === 'string' ? options.drainctlUrl : options.drainctlUrl();
    const response = await fetch(`${target}${sent.path}`, {
      method: sent.method,
      headers: sent.headers,
      ...(sent.method === 'POST' ? { body: sent.body } : {}),
    });
    return { status: response.status, answer: await response.text() };
  }

  return {
    url: base,
    replies: (thread) => replies.filter((reply) => thread === undefined || reply.thread === thread),
    delivery,
    send,
    async say(platform, user, text, where) {
      const made = delivery(platform, user, text, where);
      const answer = await send(made.delivery);
      return { delivery: made.delivery, thread: made.thread, ...answer };
    },
    wecomUrlCheck: (echo) => send(wecomUrlCheck(echo, need(secrets.wecom, 'wecom'), now())),
    dingtalkMessage,
    dingtalkStream: gateway.standIn,
    slackCommand,
    slackMention,
    slackSocketMode: socketMode.standIn,
    feishuEvent,
    feishuLongConnection: longConnection.standIn,
    close: () =>
      new Promise<void>((resolve) => {
        gateway.close();
        socketMode.close();
        longConnection.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function need<T>(value: T | undefined, platform: string): T {
  if (value === undefined) throw new Error(`the ${platform} stand-in has no secrets`);
  return value;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Every string inside a reply body (Feishu's card is JSON inside a string), joined. */
function flatten(value: unknown): string {
  if (typeof value === 'string') {
    const inner = value.startsWith('{') ? parseJson(value) : undefined;
    return inner !== undefined && Object.keys(inner).length > 0 ? flatten(inner) : value;
  }
  if (Array.isArray(value)) return value.map(flatten).join('\n');
  if (typeof value === 'object' && value !== null)
    return Object.values(value).map(flatten).join('\n');
  return '';
}

interface Answer {
  status: number;
  type: string;
  body: string;
}

function json(status: number, body: unknown): Answer {
  return { status, type: 'application/json; charset=utf-8', body: JSON.stringify(body) };
}

function plain(status: number, text: string): Answer {
  return { status, type: 'text/plain', body: text };
}
