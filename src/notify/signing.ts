/**
 * The signatures each platform asks for, exactly as its documentation gives them
 * (docs/notifications.md lists the pages and what was checked):
 * - DingTalk: HmacSHA256 with the secret as key over `timestamp + "\n" + secret`, timestamp in
 *   milliseconds, Base64, then URL-encoded into the `sign` query parameter beside `timestamp`.
 * - Feishu/Lark: HmacSHA256 with `timestamp + "\n" + secret` as the KEY over an empty message,
 *   timestamp in seconds, Base64, sent in the JSON body as `sign` beside `timestamp`.
 * - drainctl's generic webhook: hex HmacSHA256 with the secret over `<timestamp>.<body>`,
 *   timestamp in seconds, in `X-Drainctl-Signature: sha256=<hex>` and `X-Drainctl-Timestamp`.
 */
import { createHmac } from 'node:crypto';

/** The `sign` value before URL-encoding (the caller's URLSearchParams encodes it). */
export function dingtalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

export function feishuSign(timestampSeconds: number, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

export const WEBHOOK_SIGNATURE_HEADER = 'X-Drainctl-Signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'X-Drainctl-Timestamp';

/** The header's value: `sha256=<hex>`. */
export function webhookSignature(timestampSeconds: number, body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}
