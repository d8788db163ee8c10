/**
 * A verified, decrypted WeCom message as a ChatRequest: a text message to the application. The
 * sender is its userid (FromUserName); the answer is sent to them through the application.
 */
import { ignored, type ParsedMessage } from '../chat-request.js';
import { readFlatXml } from './flat-xml.js';

export function parseWecomMessage(xml: string): ParsedMessage {
  const fields = readFlatXml(xml);
  if (fields === undefined) return ignored('a message that is not flat XML');
  if (fields.get('MsgType') !== 'text') return ignored('a message that is not text');
  const user = fields.get('FromUserName');
  const text = fields.get('Content');
  const msgId = fields.get('MsgId');
  if (
    user === undefined ||
    user === '' ||
    text === undefined ||
    msgId === undefined ||
    msgId === ''
  ) {
    return ignored('a message without FromUserName, Content or MsgId');
  }
  const agentId = fields.get('AgentID');
  return {
    ok: true,
    kind: 'request',
    request: {
      platform: 'wecom',
      user: { id: user },
      channel: agentId === undefined ? user : `${agentId}:${user}`,
      reply: { platform: 'wecom', toUser: user, ...(agentId === undefined ? {} : { agentId }) },
      text,
      eventId: msgId,
    },
  };
}
