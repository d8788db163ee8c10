/**
 * WeCom group robot: `POST /cgi-bin/webhook/send?key=<key>`, no signature (the key is the
 * credential). Answers HTTP 200 with `errcode`: 0 ok, 93000 an invalid key, 45009 over 20
 * messages a minute; a markdown content over 4096 bytes is refused.
 */
import type { PlatformReceiverOptions } from './dingtalk.js';
import { type Handle, json, overRate, type Receiver, startReceiver } from './receiver.js';

export function startWecomReceiver(
  options: Omit<PlatformReceiverOptions, 'secret'>,
): Promise<Receiver> {
  const sent: number[] = [];
  const handle: Handle = ({ url, body, nowMs }) => {
    if (url.pathname !== '/cgi-bin/webhook/send' || url.searchParams.get('key') !== options.token) {
      return refused(93000, 'invalid webhook url');
    }
    let message: { msgtype?: string; markdown?: { content?: string }; text?: { content?: string } };
    try {
      message = JSON.parse(body);
    } catch {
      return refused(40008, 'invalid message type');
    }
    const content =
      message.msgtype === 'markdown' ? message.markdown?.content : message.text?.content;
    if (!content) return refused(40008, 'invalid message type');
    if (message.msgtype === 'markdown' && Buffer.byteLength(content) > 4096) {
      return refused(40058, 'markdown.content exceed max length 4096');
    }
    if (overRate(sent, nowMs, options.perMinute ?? 20))
      return refused(45009, 'api freq out of limit');
    return { accepted: true, answer: json(200, { errcode: 0, errmsg: 'ok' }) };
  };
  return startReceiver({
    hookPath: `/cgi-bin/webhook/send?key=${options.token}`,
    handle,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

function refused(errcode: number, errmsg: string) {
  return { accepted: false, answer: json(200, { errcode, errmsg }) };
}
