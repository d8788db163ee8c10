/**
 * A verified Feishu/Lark event as a ChatRequest: `im.message.receive_v1` (schema 2.0) with a
 * text message from a user. The sender is its open_id; the answer replies to the message.
 */
import { ignored, type ParsedMessage } from '../chat-request.js';
import { objectField, parseObject, stringField } from '../json-object.js';

export function parseFeishuEvent(event: Readonly<Record<string, unknown>>): ParsedMessage {
  const header = objectField(event, 'header');
  const eventType = stringField(header, 'event_type');
  const eventId = stringField(header, 'event_id');
  if (eventType !== 'im.message.receive_v1' || eventId === undefined) {
    return ignored(`the ${eventType ?? 'untyped'} event`);
  }
  const body = objectField(event, 'event');
  const sender = objectField(body, 'sender');
  if (stringField(sender, 'sender_type') !== 'user') return ignored('a message not sent by a user');
  const user = stringField(objectField(sender, 'sender_id'), 'open_id');
  const message = objectField(body, 'message');
  if (stringField(message, 'message_type') !== 'text') return ignored('a message that is not text');
  const chatId = stringField(message, 'chat_id');
  const messageId = stringField(message, 'message_id');
  const content = stringField(message, 'content');
  const text = content === undefined ? undefined : stringField(parseObject(content), 'text');
  if (user === undefined || chatId === undefined || messageId === undefined || text === undefined) {
    return ignored('a message without sender, chat_id, message_id or text');
  }
  return {
    ok: true,
    kind: 'request',
    request: {
      platform: 'feishu',
      user: { id: user },
      channel: chatId,
      reply: { platform: 'feishu', chatId, messageId },
      text,
      eventId,
    },
  };
}
