/**
 * drainctl's generic webhook: the event as JSON (`{"event": {...}, "text": "..."}`), signed when
 * the channel has a secret (signing.ts; how to verify it: docs/notifications.md). Any 2xx is
 * taken; 429 and 5xx are tried again.
 */
import {
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  webhookSignature,
} from '../signing.js';
import type { Platform } from './platform.js';

export const webhook: Platform = {
  label: 'webhook',
  limit: { max: 16_000, unit: 'chars' },
  ratePerMinute: 60,
  render(text, link) {
    return [text.title, ...text.lines, ...(link ? [link] : [])].join('\n');
  },
  linkTo: (label, url) => `${label}: ${url}`,
  request(channel, message, nowMs) {
    const timestamp = Math.floor(nowMs / 1000);
    const body = JSON.stringify({ event: message.data, title: message.title, text: message.text });
    return {
      url: channel.url,
      headers: {
        'Content-Type': 'application/json',
        ...(channel.secret === undefined
          ? {}
          : {
              [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
              [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(timestamp, body, channel.secret),
            }),
      },
      body,
    };
  },
  judge(status, body) {
    if (status >= 200 && status < 300) return { ok: true };
    return {
      ok: false,
      retryable: status === 429 || status >= 500,
      detail: `HTTP ${status} ${body.slice(0, 200)}`,
    };
  },
};
