/**
 * DingTalk custom robot, as its documentation describes it: `POST /robot/send?access_token=…`;
 * with signing on, `timestamp` (ms, within an hour of now) and `sign` =
 * urlencode(base64(HmacSHA256(key: secret, message: timestamp + "\n" + secret))). Answers are
 * HTTP 200 with `errcode`: 0 ok, 300001 unknown token, 310000 signature refused, 130101 more than
 * 20 messages a minute.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Handle, json, overRate, type Receiver, startReceiver } from './receiver.js';

export interface PlatformReceiverOptions {
  token: string;
  /** Signing secret; none: requests are not checked for a signature. */
  secret?: string;
  port?: number;
  /** Messages a minute before the platform's throttling answer (default: the platform's). */
  perMinute?: number;
  now?: () => number;
}

export function startDingtalkReceiver(options: PlatformReceiverOptions): Promise<Receiver> {
  const sent: number[] = [];
  const handle: Handle = ({ url, body, nowMs }) => {
    if (url.pathname !== '/robot/send' || url.searchParams.get('access_token') !== options.token) {
      return refused(300001, 'token is not exist');
    }
    if (options.secret !== undefined) {
      const timestamp = url.searchParams.get('timestamp') ?? '';
      const sign = url.searchParams.get('sign') ?? '';
      const expected = createHmac('sha256', options.secret)
        .update(`${timestamp}\n${options.secret}`)
        .digest('base64');
      const fresh = Math.abs(nowMs - Number(timestamp)) <= 3_600_000;
      if (!fresh || !same(sign, expected)) return refused(310000, 'sign not match');
    }
    let message: {
      msgtype?: string;
      markdown?: { title?: string; text?: string };
      text?: { content?: string };
    };
    try {
      message = JSON.parse(body);
    } catch {
      return refused(40035, 'invalid parameter: body is not JSON');
    }
    const ok =
      (message.msgtype === 'markdown' && !!message.markdown?.title && !!message.markdown?.text) ||
      (message.msgtype === 'text' && !!message.text?.content);
    if (!ok) return refused(40035, 'invalid parameter: msgtype and its content');
    if (overRate(sent, nowMs, options.perMinute ?? 20)) {
      return refused(130101, 'send too fast, exceed 20 times per minute');
    }
    return { accepted: true, answer: json(200, { errcode: 0, errmsg: 'ok' }) };
  };
  return startReceiver({
    hookPath: `/robot/send?access_token=${options.token}`,
    handle,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

function refused(errcode: number, errmsg: string) {
  return { accepted: false, answer: json(200, { errcode, errmsg }) };
}

/** Equal strings, compared in constant time. */
export function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
