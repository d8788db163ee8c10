/**
 * DingTalk custom robot: `POST <webhook>?access_token=…[&timestamp=…&sign=…]` with a `markdown`
 * message. Answers 200 with `{"errcode":0,"errmsg":"ok"}`; 130101 is "send too fast" (20 messages
 * a minute per robot, then throttled for 10 minutes), 310000 a signature or keyword refused.
 */
import { dingtalkSign } from '../signing.js';
import { judgeJsonCode, markdownLines, type Platform } from './platform.js';

export const dingtalk: Platform = {
  label: 'DingTalk',
  // No limit found in DingTalk's pages for a markdown message; kept well under what the
  // robots in use accept, so a long run's report still arrives whole up to its link.
  limit: { max: 4000, unit: 'chars' },
  ratePerMinute: 20,
  render: (text, link) => markdownLines(text, link, (title) => `#### ${title}`),
  linkTo: (label, url) => `[${label}](${url})`,
  request(channel, message, nowMs) {
    const url = new URL(channel.url);
    if (channel.secret !== undefined) {
      url.searchParams.set('timestamp', String(nowMs));
      url.searchParams.set('sign', dingtalkSign(nowMs, channel.secret));
    }
    return {
      url: url.toString(),
      headers: { 'Content-Type': 'application/json;charset=utf-8' },
      body: JSON.stringify({
        msgtype: 'markdown',
        markdown: { title: message.title, text: message.text },
      }),
    };
  },
  judge: (status, body) => judgeJsonCode(status, body, 'errcode', [130101]),
};
