/**
 * How a target is named in logs and in the plan: its type and its URL cut to the host and the
 * first path segment — the query (DingTalk's access_token, WeCom's key) and the rest of the path
 * (Slack's and Feishu's hook tokens) may be credentials.
 */
import type { NotifyChannelSpec } from '../workflow/index.js';

export function targetLabel(channel: Pick<NotifyChannelSpec, 'type' | 'url'>): string {
  return `${channel.type} ${maskedUrl(channel.url)}`;
}

export function maskedUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '(an invalid URL)';
  }
  const [first] = url.pathname.split('/').filter((s) => s !== '');
  const path = first === undefined ? '/' : `/${first}/…`;
  return `${url.protocol}//${url.host}${path}`;
}
