/**
 * A receiver of drainctl's generic webhook, verifying as docs/notifications.md tells a receiver
 * to: `X-Drainctl-Timestamp` within 5 minutes of now (the replay window), then
 * `X-Drainctl-Signature` equal to `sha256=` + hex HmacSHA256(secret, `<timestamp>.<raw body>`),
 * compared in constant time. 401 when either fails, 200 `{"ok":true}` otherwise.
 */
import { createHmac } from 'node:crypto';
import { type PlatformReceiverOptions, same } from './dingtalk.js';
import { type Handle, json, type Receiver, startReceiver } from './receiver.js';

export const REPLAY_WINDOW_SECONDS = 300;

export function startWebhookReceiver(options: PlatformReceiverOptions): Promise<Receiver> {
  const hook = `/hooks/${options.token}`;
  const handle: Handle = ({ url, headers, body, nowMs }) => {
    if (url.pathname !== hook)
      return { accepted: false, answer: json(404, { error: 'not found' }) };
    if (options.secret !== undefined) {
      const timestamp = String(headers['x-drainctl-timestamp'] ?? '');
      const signature = String(headers['x-drainctl-signature'] ?? '');
      if (
        !/^\d+$/.test(timestamp) ||
        Math.abs(nowMs / 1000 - Number(timestamp)) > REPLAY_WINDOW_SECONDS
      ) {
        return { accepted: false, answer: json(401, { error: 'stale or missing timestamp' }) };
      }
      const expected = `sha256=${createHmac('sha256', options.secret).update(`${timestamp}.${body}`).digest('hex')}`;
      if (!same(signature, expected)) {
        return { accepted: false, answer: json(401, { error: 'bad signature' }) };
      }
    }
    try {
      JSON.parse(body);
    } catch {
      return { accepted: false, answer: json(400, { error: 'body is not JSON' }) };
    }
    return { accepted: true, answer: json(200, { ok: true }) };
  };
  return startReceiver({
    hookPath: hook,
    handle,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}
