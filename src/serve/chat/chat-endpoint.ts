/**
 * `POST /chat/slack`, `/chat/dingtalk`, `/chat/feishu`, and `GET`/`POST /chat/wecom`, in the
 * order docs/chat-ops.md ("Wiring into serve") gives: the raw body read (size-limited) and
 * verified before anything parses it; 401 and nothing else for a request that fails; URL checks
 * answered at once; the delivery's keys claimed so a retry or replay is answered and not acted
 * on; the platform answered within its deadline, and the command handed on to run after it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ChatHttpRequest,
  type ChatPlatform,
  type ChatRequest,
  type ChatSecrets,
  DINGTALK_REPLAY_WINDOW_MS,
  FEISHU_REPLAY_WINDOW_MS,
  nodeChatCrypto,
  type ParsedMessage,
  parseDingtalkMessage,
  parseFeishuEvent,
  parseSlackMessage,
  parseWecomMessage,
  type Refusal,
  type ReplayGuard,
  replayClaimTtlMs,
  SLACK_REPLAY_WINDOW_MS,
  verifyDingtalkRequest,
  verifyFeishuRequest,
  verifySlackRequest,
  verifyWecomRequest,
  WECOM_REPLAY_WINDOW_MS,
} from '../../chat/index.js';
import type { Logger } from '../../log/index.js';
import { ApiError } from '../http/api-error.js';
import { readRawBody } from '../http/json-body.js';
import { claimDelivery } from './delivery-claim.js';

/** Platforms' messages are small; a block_actions payload with its message is the largest. */
export const CHAT_BODY_LIMIT_BYTES = 64 * 1024;

const REPLAY_WINDOW_MS: Readonly<Record<ChatPlatform, number>> = {
  slack: SLACK_REPLAY_WINDOW_MS,
  dingtalk: DINGTALK_REPLAY_WINDOW_MS,
  feishu: FEISHU_REPLAY_WINDOW_MS,
  wecom: WECOM_REPLAY_WINDOW_MS,
};

export interface ChatEndpointOptions {
  /** The secrets of the platforms whose HTTP endpoint answers (not those in connection mode). */
  secrets: ChatSecrets;
  replay: ReplayGuard;
  now: () => number;
  logger: Logger;
  /** Called after the platform was answered, once per delivery acted on. */
  act(request: ChatRequest): void;
}

/** What a verified request comes to before the replay check. */
type Outcome =
  | { answer: 'challenge'; body: string; contentType: string }
  | { answer: 'message'; parsed: ParsedMessage; replayKey: string };

export function isChatPlatform(name: string): name is ChatPlatform {
  return name === 'slack' || name === 'dingtalk' || name === 'feishu' || name === 'wecom';
}

export async function handleChatRequest(
  platform: ChatPlatform,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  options: ChatEndpointOptions,
): Promise<void> {
  if (options.secrets[platform] === undefined) {
    throw new ApiError(404, 'NOT_FOUND', 'no such endpoint');
  }
  const rawBody = await readRawBody(request, CHAT_BODY_LIMIT_BYTES);
  const http: ChatHttpRequest = {
    method: request.method ?? 'POST',
    headers: request.headers,
    query: queryOf(url),
    rawBody,
  };
  const outcome = verifyAndRead(platform, http, options);
  if (!outcome.ok) {
    options.logger.warn(
      { platform, reason: outcome.reason, detail: outcome.detail },
      `chat request to /chat/${platform} refused (${outcome.reason}): ${outcome.detail}`,
    );
    // Why stays in the log: a prober learns nothing from the answer about what to change.
    throw new ApiError(401, 'UNAUTHORIZED', 'unauthorized');
  }
  if (outcome.answer === 'challenge') {
    response.writeHead(200, { 'content-type': outcome.contentType, 'cache-control': 'no-store' });
    response.end(outcome.body);
    return;
  }
  const { parsed } = outcome;
  if (parsed.ok && parsed.kind === 'url-verification') {
    answer(response, platform, JSON.stringify({ challenge: parsed.challenge }));
    return;
  }
  if (!parsed.ok) {
    answer(response, platform);
    return;
  }
  const nowMs = options.now();
  const ttl = replayClaimTtlMs(REPLAY_WINDOW_MS[platform]);
  const first = await claimDelivery(
    options.replay,
    { platform, eventId: parsed.request.eventId, otherKeys: [outcome.replayKey] },
    nowMs,
    ttl,
  );
  answer(response, platform);
  if (!first) {
    options.logger.info(
      { platform, eventId: parsed.request.eventId },
      `chat delivery ${platform}:${parsed.request.eventId} seen before: answered, not acted on`,
    );
    return;
  }
  // After the answer: the command may take longer than the platform waits.
  setImmediate(() => options.act(parsed.request));
}

function verifyAndRead(
  platform: ChatPlatform,
  http: ChatHttpRequest,
  options: ChatEndpointOptions,
): (Outcome & { ok: true }) | Refusal {
  const { secrets, now } = options;
  switch (platform) {
    case 'slack': {
      const verified = verifySlackRequest(http, mustHave(secrets.slack), now(), nodeChatCrypto);
      if (!verified.ok) return verified;
      return {
        ok: true,
        answer: 'message',
        parsed: parseSlackMessage(verified.body),
        replayKey: verified.replayKey,
      };
    }
    case 'dingtalk': {
      const verified = verifyDingtalkRequest(
        http,
        mustHave(secrets.dingtalk),
        now(),
        nodeChatCrypto,
      );
      if (!verified.ok) return verified;
      return {
        ok: true,
        answer: 'message',
        parsed: parseDingtalkMessage(verified.body),
        replayKey: verified.replayKey,
      };
    }
    case 'feishu': {
      const verified = verifyFeishuRequest(http, mustHave(secrets.feishu), now(), nodeChatCrypto);
      if (!verified.ok) return verified;
      if (verified.kind === 'url-verification') {
        return {
          ok: true,
          answer: 'challenge',
          body: JSON.stringify({ challenge: verified.challenge }),
          contentType: 'application/json; charset=utf-8',
        };
      }
      return {
        ok: true,
        answer: 'message',
        parsed: parseFeishuEvent(verified.event),
        replayKey: verified.replayKey,
      };
    }
    case 'wecom': {
      const verified = verifyWecomRequest(http, mustHave(secrets.wecom), now(), nodeChatCrypto);
      if (!verified.ok) return verified;
      if (verified.kind === 'url-verification') {
        return {
          ok: true,
          answer: 'challenge',
          body: verified.echo,
          contentType: 'text/plain; charset=utf-8',
        };
      }
      return {
        ok: true,
        answer: 'message',
        parsed: parseWecomMessage(verified.xml),
        replayKey: verified.replayKey,
      };
    }
  }
}

/**
 * The platform's "received" answer: an empty body for Slack (a slash command shows a JSON body
 * as a message) and WeCom (its documented acknowledgement), `{}` for DingTalk and Feishu.
 */
function answer(response: ServerResponse, platform: ChatPlatform, body?: string): void {
  if ((platform === 'wecom' || platform === 'slack') && body === undefined) {
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    response.end('');
    return;
  }
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(body ?? '{}');
}

function queryOf(url: URL): Record<string, string | string[]> {
  // No prototype: a parameter named `__proto__` is a parameter like any other.
  const query: Record<string, string | string[]> = Object.create(null);
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return query;
}

function mustHave<T>(secrets: T | undefined): T {
  if (secrets === undefined) throw new ApiError(404, 'NOT_FOUND', 'no such endpoint');
  return secrets;
}
