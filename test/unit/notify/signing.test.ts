import { describe, expect, it } from 'vitest';
import { dingtalkSign, feishuSign, PLATFORMS, webhookSignature } from '#src/notify/index.js';

// Vectors computed apart from drainctl, with Python's hmac/hashlib/base64 as each platform's
// documentation shows it (docs/notifications.md).
const SECRET = 'SEC0123456789abcdef';

describe('signatures', () => {
  it('DingTalk: HmacSHA256(key secret, "ms\\nsecret"), Base64, URL-encoded in the query', () => {
    expect(dingtalkSign(1_700_000_000_000, SECRET)).toBe(
      'TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk=',
    );
    const request = PLATFORMS.dingtalk.request(
      {
        type: 'dingtalk',
        url: 'https://oapi.dingtalk.com/robot/send?access_token=t',
        secret: SECRET,
      },
      { title: 't', text: 'x' },
      1_700_000_000_000,
    );
    expect(request.url).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign=TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D',
    );
  });

  it('Feishu: HmacSHA256(key "s\\nsecret", empty message), Base64, in the body with seconds', () => {
    expect(feishuSign(1_700_000_000, SECRET)).toBe('PiO7POLlSx/DM2qf8Dy/XCWeJK3exVnevp5G99LEN2M=');
    const request = PLATFORMS.feishu.request(
      { type: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/x', secret: SECRET },
      { title: 't', text: 'x' },
      1_700_000_000_999,
    );
    expect(JSON.parse(request.body)).toMatchObject({
      timestamp: '1700000000',
      sign: 'PiO7POLlSx/DM2qf8Dy/XCWeJK3exVnevp5G99LEN2M=',
      msg_type: 'text',
      content: { text: 'x' },
    });
  });

  it('webhook: sha256=<hex HmacSHA256 of "<seconds>.<body>">', () => {
    expect(webhookSignature(1_700_000_000, '{"a":1}', SECRET)).toBe(
      'sha256=0ac50308670532f80b9bd5071349ca5e2810022339f19715753991fc9749c9b2',
    );
  });

  it('WeCom and Slack carry no signature: the URL is the credential', () => {
    for (const type of ['wecom', 'slack'] as const) {
      const request = PLATFORMS[type].request(
        { type, url: 'https://example.test/hook?key=k' },
        { title: 't', text: 'x' },
        0,
      );
      expect(request.url).toBe('https://example.test/hook?key=k');
      expect(Object.keys(request.headers)).toEqual(['Content-Type']);
    }
  });
});
