/**
 * Feishu/Lark custom bot: `POST <webhook>` with `{timestamp, sign, msg_type: "text", content}`.
 * Answers `{"code":0,…}`; 19021 is a bad signature or a timestamp more than an hour off, 9499
 * "too many request" (100 a minute and 5 a second per bot); the body may be 20 KB at most.
 */
import { feishuSign } from '../signing.js';
import { judgeJsonCode, type Platform } from './platform.js';

export const feishu: Platform = {
  label: 'Feishu',
  // The whole request body may be 20 KB: the text gets what the envelope leaves, with room.
  limit: { max: 19_000, unit: 'bytes' },
  // The bot allows 100 a minute; a chat room reads no faster than the others.
  ratePerMinute: 20,
  render(text, link) {
    return [text.title, ...text.lines.map((l) => `- ${l}`), ...(link ? [link] : [])].join('\n');
  },
  linkTo: (label, url) => `${label}: ${url}`,
  request(channel, message, nowMs) {
    const timestamp = Math.floor(nowMs / 1000);
    return {
      url: channel.url,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({
        ...(channel.secret === undefined
          ? {}
          : { timestamp: String(timestamp), sign: feishuSign(timestamp, channel.secret) }),
        msg_type: 'text',
        content: { text: message.text },
      }),
    };
  },
  judge: (status, body) => judgeJsonCode(status, body, 'code', [9499, 11232]),
};
