/**
 * WeCom (WeChat Work) group robot: `POST …/webhook/send?key=…` with a `markdown` message; the
 * key in the URL is the only credential (no signature). Answers `{"errcode":0,"errmsg":"ok"}`;
 * 45009 is the frequency limit (20 messages a minute per robot), 93000 an invalid webhook key.
 */
import { judgeJsonCode, markdownLines, type Platform } from './platform.js';

export const wecom: Platform = {
  label: 'WeCom',
  // markdown.content: at most 4096 bytes of UTF-8.
  limit: { max: 4096, unit: 'bytes' },
  ratePerMinute: 20,
  render: (text, link) => markdownLines(text, link, (title) => `**${title}**`),
  linkTo: (label, url) => `[${label}](${url})`,
  request(channel, message) {
    return {
      url: channel.url,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ msgtype: 'markdown', markdown: { content: message.text } }),
    };
  },
  judge: (status, body) => judgeJsonCode(status, body, 'errcode', [45009]),
};
