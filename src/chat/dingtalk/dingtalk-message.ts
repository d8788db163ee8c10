/**
 * A verified DingTalk outgoing-robot body as a ChatRequest. The sender is its staffId where
 * DingTalk gives one (the id an administrator sees and lists in serve.yaml), else its senderId;
 * the answer goes to the message's sessionWebhook.
 */
import { ignored, type ParsedMessage } from '../chat-request.js';
import { objectField, parseObject, stringField } from '../json-object.js';

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
