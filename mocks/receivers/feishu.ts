/**
 * Feishu/Lark custom bot: `POST /open-apis/bot/v2/hook/<token>` with `{timestamp, sign, msg_type,
 * content}`; with signing on, `timestamp` (seconds, within an hour) and `sign` =
 * base64(HmacSHA256(key: timestamp + "\n" + secret, message: empty)). Answers `{"code":0,…}`; 19001
 * an unknown hook, 19021 a refused signature, 9499 (HTTP 400) too many requests (100 a minute).
 */
import { createHmac } from 'node:crypto';
import { type PlatformReceiverOptions, same } from './dingtalk.js';
import { type Handle, json, overRate, type Receiver, startReceiver } from './receiver.js';

export function startFeishuReceiver(options: PlatformReceiverOptions): Promise<Receiver> {
  const sent: number[] = [];
  const hook = `/open-apis/bot/v2/hook/${options.token}`;
  const handle: Handle = ({ url, body, nowMs }) => {
    if (url.pathname !== hook) {
      return refused(19001, 'param invalid: incoming webhook access token invalid');
    }
    let message: {
      timestamp?: string;
      sign?: string;
      msg_type?: string;
      content?: { text?: string };
    };
    try {
      message = JSON.parse(body);
    } catch {
      return refused(9499, 'Bad Request', 400);
    }
    if (options.secret !== undefined) {
      const timestamp = String(message.timestamp ?? '');
      const expected = createHmac('sha256', `${timestamp}\n${options.secret}`)
        .update('')
        .digest('base64');
      const fresh = Math.abs(nowMs / 1000 - Number(timestamp)) <= 3600;
      if (!fresh || !same(String(message.sign ?? ''), expected)) {
        return refused(
          19021,
          'sign match fail or timestamp is not within one hour from current time',
        );
      }
    }
    if (message.msg_type !== 'text' || !message.content?.text) {
      return refused(19002, 'params error, msg_type need');
    }
    if (overRate(sent, nowMs, options.perMinute ?? 100))
      return refused(9499, 'too many request', 400);
    return { accepted: true, answer: json(200, { code: 0, data: {}, msg: 'success' }) };
  };
  return startReceiver({
    hookPath: hook,
    handle,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

function refused(code: number, msg: string, status = 200) {
  return { accepted: false, answer: json(status, { code, data: {}, msg }) };
}
