/**
 * A verified DingTalk outgoing-robot body as a ChatRequest. The sender is its staffId where
 * DingTalk gives one (the id an administrator sees and lists in serve.yaml), else its senderId;
 * the answer goes to the message's sessionWebhook.
 */
import { ignored, type ParsedMessage } from '../chat-request.js';
import { objectField, parseObject, stringField } from '../json-object.js';

/** Where DingTalk's sessionWebhooks live (its documents: `https://oapi.dingtalk.com/robot/sendBySession?session=…`). */
const DINGTALK_WEBHOOK_HOSTS: readonly string[] = ['oapi.dingtalk.com', 'api.dingtalk.com'];

/**
 * Whether serve may POST a reply to `sessionWebhook`. DingTalk's signature covers the timestamp
 * only, so the address is the sender's word: it must be DingTalk's own (https), or under the
 * configured `apiBaseUrl`, never wherever a forged body points.
 */
export function isDingtalkSessionWebhook(sessionWebhook: string, apiBaseUrl?: string): boolean {
  const url = urlOf(sessionWebhook);
  if (url === undefined || url.username !== '' || url.password !== '') return false;
  if (
    url.protocol === 'https:' &&
    DINGTALK_WEBHOOK_HOSTS.includes(url.hostname) &&
    url.port === ''
  ) {
    return true;
  }
  const base = apiBaseUrl === undefined ? undefined : urlOf(apiBaseUrl);
  if (base === undefined) return false;
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return url.origin === base.origin && `${url.pathname}/`.startsWith(basePath);
}

function urlOf(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined; // Not a URL: not an address serve posts to.
  }
}

export function parseDingtalkMessage(body: string): ParsedMessage {
  const message = parseObject(body);
  if (message === undefined) return ignored('a body that is not a JSON object');
  if (stringField(message, 'msgtype') !== 'text') return ignored('a message that is not text');
  const text = stringField(objectField(message, 'text'), 'content');
  const user = stringField(message, 'senderStaffId') ?? stringField(message, 'senderId');
  const conversationId = stringField(message, 'conversationId');
  const sessionWebhook = stringField(message, 'sessionWebhook');
  const msgId = stringField(message, 'msgId');
  if (
    text === undefined ||
    user === undefined ||
    conversationId === undefined ||
    sessionWebhook === undefined ||
    msgId === undefined
  ) {
    return ignored('a message without text, sender, conversationId, sessionWebhook or msgId');
  }
  const name = stringField(message, 'senderNick');
  const expires = message.sessionWebhookExpiredTime;
  return {
    ok: true,
    kind: 'request',
    request: {
      platform: 'dingtalk',
      user: name === undefined ? { id: user } : { id: user, name },
      channel: conversationId,
      reply: {
        platform: 'dingtalk',
        conversationId,
        sessionWebhook,
        ...(typeof expires === 'number' && Number.isFinite(expires)
          ? { sessionWebhookExpiresAtMs: expires }
          : {}),
      },
      text,
      eventId: msgId,
    },
  };
}
