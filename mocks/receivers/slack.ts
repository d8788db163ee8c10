/**
 * Slack incoming webhook: `POST /services/<T>/<B>/<token>` with `{text}` or `{blocks}`; the URL
 * is the credential. Answers 200 `ok`; errors are statuses with a plain-text code: 404
 * no_service (unknown hook), 400 invalid_payload (not JSON) or no_text, 429 with Retry-After
 * when posting faster than about one message a second (here: more than `perMinute`, default 60,
 * in a minute).
 */
import type { PlatformReceiverOptions } from './dingtalk.js';
import { type Handle, overRate, type Receiver, startReceiver } from './receiver.js';

export function startSlackReceiver(
  options: Omit<PlatformReceiverOptions, 'secret'>,
): Promise<Receiver> {
  const sent: number[] = [];
  const hook = `/services/T0DRAINCTL/B0DRAINCTL/${options.token}`;
  const handle: Handle = ({ url, body, nowMs }) => {
    if (url.pathname !== hook) return plain(404, 'no_service');
    let message: { text?: string; blocks?: unknown[] };
    try {
      message = JSON.parse(body);
    } catch {
      return plain(400, 'invalid_payload');
    }
    if (!message.text && !(Array.isArray(message.blocks) && message.blocks.length > 0)) {
      return plain(400, 'no_text');
    }
    if (overRate(sent, nowMs, options.perMinute ?? 60)) {
      return {
        accepted: false,
        answer: { status: 429, body: 'rate_limited', headers: { 'Retry-After': '1' } },
      };
    }
    return { accepted: true, answer: { status: 200, body: 'ok' } };
  };
  return startReceiver({
    hookPath: hook,
    handle,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

function plain(status: number, body: string) {
  return { accepted: false, answer: { status, body } };
}
