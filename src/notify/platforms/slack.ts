/**
 * Slack incoming webhook: `POST https://hooks.slack.com/services/…` with `{text}` (mrkdwn); the
 * URL is the secret. Answers 200 `ok`; errors are HTTP statuses with a plain-text code
 * (400 invalid_payload/no_text, 403 action_prohibited, 404 channel_not_found, 410
 * channel_is_archived, 500 rollup_error) and 429 with Retry-After when posting too fast (about
 * one message a second). Text above 40,000 characters is truncated by Slack.
 */
import type { Platform } from './platform.js';

export const slack: Platform = {
  label: 'Slack',
  limit: { max: 40_000, unit: 'chars' },
  ratePerMinute: 20,
  render(text, link) {
    const lines = [
      `*${mrkdwnEscape(text.title)}*`,
      ...text.lines.map((l) => `• ${mrkdwnEscape(l)}`),
    ];
    if (link !== undefined) lines.push(`<${link}|run page>`);
    return lines.join('\n');
  },
  linkTo: (label, url) => `<${url}|${label}>`,
  request(channel, message) {
    return {
      url: channel.url,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: message.text }),
    };
  },
  judge(status, body, headers) {
    if (status >= 200 && status < 300) return { ok: true };
    const seconds = Number(headers.get('retry-after'));
    return {
      ok: false,
      retryable: status === 429 || status >= 500,
      detail: `HTTP ${status} ${body.slice(0, 200)}`,
      ...(Number.isFinite(seconds) && seconds > 0 ? { retryAfterMs: seconds * 1000 } : {}),
    };
  },
};

/** Slack's mrkdwn needs &, < and > escaped in text that is not markup. */
function mrkdwnEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
