/**
 * Each platform's request check against the platform's own published example where one exists,
 * and against requests signed by test/support/chat-signing.ts: a valid request passes; a changed
 * body, a wrong secret, a stale timestamp and a missing header are refused.
 */
import { describe, expect, it } from 'vitest';
import { decryptFeishu } from '#src/chat/feishu/verify-feishu.js';
import {
  type ChatHttpRequest,
  nodeChatCrypto,
  verifyDingtalkRequest,
  verifyFeishuRequest,
  verifySlackRequest,
  verifyWecomRequest,
} from '#src/chat/index.js';
import {
  encryptedFeishuEvent,
  feishuEncrypt,
  signedDingtalkRequest,
  signedFeishuRequest,
  signedSlackRequest,
  signedWecomGet,
  signedWecomPost,
} from '#support/chat-signing.js';

const crypto = nodeChatCrypto;
const NOW = Date.UTC(2026, 0, 15, 2, 0, 0);
const nowSeconds = Math.floor(NOW / 1000);

function withBody(request: ChatHttpRequest, rawBody: string): ChatHttpRequest {
  return { ...request, rawBody };
}

describe('Slack v0 signatures', () => {
  // Slack's worked example: api.slack.com/authentication/verifying-requests-from-slack
  // ("Validating a request", the signing secret 8f74…85a5 and a /webhook-collect slash command).
  const example = {
    secret: '8f742231b10e8888abcd99yyyzzz85a5',
    timestamp: '1531420618',
    body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
  };
  const exampleRequest: ChatHttpRequest = {
    method: 'POST',
    headers: {
      'X-Slack-Request-Timestamp': example.timestamp,
      'X-Slack-Signature': example.signature,
    },
    rawBody: example.body,
  };
  const exampleNow = 1531420618 * 1000 + 30_000;

  it("accepts Slack's documented example", () => {
    const verified = verifySlackRequest(
      exampleRequest,
      { signingSecret: example.secret },
      exampleNow,
      crypto,
    );
    expect(verified).toEqual({
      ok: true,
      body: example.body,
      replayKey: `slack:signature:${example.signature}`,
    });
  });

  it('refuses the example with one byte of the body changed, or under another secret', () => {
    const tampered = withBody(exampleRequest, example.body.replace('text=', 'text=x'));
    expect(
      verifySlackRequest(tampered, { signingSecret: example.secret }, exampleNow, crypto),
    ).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    expect(
      verifySlackRequest(
        exampleRequest,
        { signingSecret: `${example.secret}0` },
        exampleNow,
        crypto,
      ),
    ).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a timestamp more than five minutes away, either side', () => {
    const secrets = { signingSecret: 's3cret' };
    const request = signedSlackRequest('text=plan', secrets.signingSecret, nowSeconds);
    expect(verifySlackRequest(request, secrets, NOW + 300_000, crypto).ok).toBe(true);
    expect(verifySlackRequest(request, secrets, NOW + 301_000, crypto)).toMatchObject({
      reason: 'stale',
    });
    expect(verifySlackRequest(request, secrets, NOW - 301_000, crypto)).toMatchObject({
      reason: 'stale',
    });
  });

  it('refuses a request without its headers, or with a header sent twice', () => {
    const request = signedSlackRequest('a=b', 'k', nowSeconds);
    expect(
      verifySlackRequest({ ...request, headers: {} }, { signingSecret: 'k' }, NOW, crypto),
    ).toMatchObject({
      reason: 'unsigned',
    });
    const twice = {
      ...request,
      headers: { ...request.headers, 'X-Slack-Signature': 'v0=00' },
    };
    expect(verifySlackRequest(twice, { signingSecret: 'k' }, NOW, crypto)).toMatchObject({
      reason: 'unsigned',
    });
  });
});

describe('DingTalk outgoing robot signatures', () => {
  const secrets = { appSecret: 'dingAppSecret-0123456789' };

  it('accepts a sign computed as DingTalk documents it and keys the replay on (timestamp, sign)', () => {
    const request = signedDingtalkRequest('{"msgtype":"text"}', secrets.appSecret, NOW);
    const verified = verifyDingtalkRequest(request, secrets, NOW, crypto);
    expect(verified).toMatchObject({ ok: true, body: '{"msgtype":"text"}' });
    expect(verified.ok && verified.replayKey).toBe(`dingtalk:sign:${NOW}:${request.headers.sign}`);
  });

  it('refuses a wrong secret, a sign for another timestamp, a missing header', () => {
    const request = signedDingtalkRequest('{}', secrets.appSecret, NOW);
    expect(verifyDingtalkRequest(request, { appSecret: 'other' }, NOW, crypto)).toMatchObject({
      reason: 'bad-signature',
    });
    const shifted = { ...request, headers: { ...request.headers, timestamp: String(NOW + 1) } };
    expect(verifyDingtalkRequest(shifted, secrets, NOW, crypto)).toMatchObject({
      reason: 'bad-signature',
    });
    expect(
      verifyDingtalkRequest(
        { ...request, headers: { timestamp: String(NOW) } },
        secrets,
        NOW,
        crypto,
      ),
    ).toMatchObject({
      reason: 'unsigned',
    });
  });

  it('refuses a timestamp (milliseconds) more than one hour away', () => {
    const request = signedDingtalkRequest('{}', secrets.appSecret, NOW);
    expect(verifyDingtalkRequest(request, secrets, NOW + 3_600_000, crypto).ok).toBe(true);
    expect(verifyDingtalkRequest(request, secrets, NOW + 3_600_001, crypto)).toMatchObject({
      reason: 'stale',
    });
    expect(verifyDingtalkRequest(request, secrets, NOW - 3_600_001, crypto)).toMatchObject({
      reason: 'stale',
    });
  });
});

describe('Feishu/Lark signatures and encrypted events', () => {
  const secrets = {
    encryptKey: 'feishu-encrypt-key',
    verificationToken: 'feishu-verification-token',
  };
  const event = {
    schema: '2.0',
    header: {
      event_id: 'ev-1',
      event_type: 'im.message.receive_v1',
      token: secrets.verificationToken,
    },
    event: {},
  };

  it('decrypts Feishu\'s published sample (key "test key" → "hello world")', () => {
    // The decryption sample of Feishu's event-subscription sample code (open.feishu.cn, 事件订阅 ›
    // 配置请求地址 / 接收事件), repeated by the Feishu SDKs' and adapters' tests.
    expect(decryptFeishu('P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=', 'test key', crypto)).toBe(
      'hello world',
    );
    expect(
      decryptFeishu('P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=', 'test kez', crypto),
    ).toBeUndefined();
  });

  it('accepts a signed encrypted event whose token is ours', () => {
    const verified = verifyFeishuRequest(
      encryptedFeishuEvent(event, secrets.encryptKey, nowSeconds),
      secrets,
      NOW,
      crypto,
    );
    expect(verified).toMatchObject({ ok: true, kind: 'event', event });
  });

  it('refuses a changed body, a wrong key, a stale timestamp, a token not ours, an unsigned event', () => {
    const request = encryptedFeishuEvent(event, secrets.encryptKey, nowSeconds);
    expect(
      verifyFeishuRequest(withBody(request, `${request.rawBody} `), secrets, NOW, crypto),
    ).toMatchObject({
      reason: 'bad-signature',
    });
    expect(
      verifyFeishuRequest(request, { ...secrets, encryptKey: 'other' }, NOW, crypto),
    ).toMatchObject({
      reason: 'bad-signature',
    });
    expect(verifyFeishuRequest(request, secrets, NOW + 301_000, crypto)).toMatchObject({
      reason: 'stale',
    });
    const foreign = encryptedFeishuEvent(
      { ...event, header: { ...event.header, token: 'someone-else' } },
      secrets.encryptKey,
      nowSeconds,
    );
    expect(verifyFeishuRequest(foreign, secrets, NOW, crypto)).toMatchObject({
      reason: 'not-ours',
    });
    expect(verifyFeishuRequest({ ...request, headers: {} }, secrets, NOW, crypto)).toMatchObject({
      reason: 'unsigned',
    });
  });

  it('answers url_verification (plain or encrypted, unsigned) only for our token', () => {
    const challenge = {
      challenge: 'ch-123',
      token: secrets.verificationToken,
      type: 'url_verification',
    };
    const plain: ChatHttpRequest = {
      method: 'POST',
      headers: {},
      rawBody: JSON.stringify(challenge),
    };
    expect(verifyFeishuRequest(plain, secrets, NOW, crypto)).toEqual({
      ok: true,
      kind: 'url-verification',
      challenge: 'ch-123',
    });
    const encrypted = withBody(
      plain,
      JSON.stringify({ encrypt: feishuEncrypt(JSON.stringify(challenge), secrets.encryptKey) }),
    );
    expect(verifyFeishuRequest(encrypted, secrets, NOW, crypto)).toMatchObject({
      ok: true,
      challenge: 'ch-123',
    });
    const forged = withBody(plain, JSON.stringify({ ...challenge, token: 'guess' }));
    expect(verifyFeishuRequest(forged, secrets, NOW, crypto)).toMatchObject({
      ok: false,
      reason: 'not-ours',
    });
  });

  it('refuses an unsigned request that is not a URL check before decrypting anything', () => {
    let decrypted = 0;
    const counting = {
      ...crypto,
      decryptAes256Cbc: (...args: Parameters<typeof crypto.decryptAes256Cbc>) => {
        decrypted += 1;
        return crypto.decryptAes256Cbc(...args);
      },
    };
    const big = { ...event, event: { text: 'x'.repeat(2000) } };
    const bodies = [
      JSON.stringify({ encrypt: feishuEncrypt(JSON.stringify(big), secrets.encryptKey) }),
      JSON.stringify({
        encrypt: feishuEncrypt(JSON.stringify(event), secrets.encryptKey),
        type: 'url_verification',
      }),
      JSON.stringify(event),
    ];
    for (const rawBody of bodies) {
      const unsigned: ChatHttpRequest = { method: 'POST', headers: {}, rawBody };
      expect(verifyFeishuRequest(unsigned, secrets, NOW, counting)).toMatchObject({
        ok: false,
        reason: 'unsigned',
      });
    }
    expect(decrypted).toBe(0);
  });

  it('refuses a signed body that is not a decryptable JSON object', () => {
    for (const body of ['[]', 'not json', '{"encrypt":"AAAA"}', '{"encrypt":42}']) {
      const request = signedFeishuRequest(body, secrets.encryptKey, nowSeconds);
      expect(verifyFeishuRequest(request, secrets, NOW, crypto)).toMatchObject({
        ok: false,
        reason: 'malformed',
      });
    }
  });
});

describe('WeCom msg_signature and AES', () => {
  // The sample of WeCom's 加解密方案说明 (developer.work.weixin.qq.com/document/path/91144) and of
  // its official callback libraries (Sample.php / Sample.java: token QDG6eK, corp id
  // wx5823bf96d3bd56c7).
  const sample = {
    token: 'QDG6eK',
    encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
    corpId: 'wx5823bf96d3bd56c7',
  };
  const sampleGet: ChatHttpRequest = {
    method: 'GET',
    headers: {},
    query: {
      msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
      timestamp: '1409659589',
      nonce: '263014780',
      echostr:
        'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    },
    rawBody: '',
  };
  const samplePost: ChatHttpRequest = {
    method: 'POST',
    headers: {},
    query: {
      msg_signature: '477715d11cdb4164915debcba66cb864d751f3e6',
      timestamp: '1409659813',
      nonce: '1372623149',
    },
    rawBody:
      '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>',
  };

  it("verifies and decrypts WeCom's sample URL check", () => {
    expect(verifyWecomRequest(sampleGet, sample, 1409659589_000, crypto)).toEqual({
      ok: true,
      kind: 'url-verification',
      echo: '1616140317555161061',
    });
  });

  it("verifies and decrypts WeCom's sample message", () => {
    const verified = verifyWecomRequest(samplePost, sample, 1409659813_000, crypto);
    expect(verified).toMatchObject({ ok: true, kind: 'message' });
    expect(verified.ok && verified.kind === 'message' && verified.xml).toContain(
      '<Content><![CDATA[hello]]></Content>',
    );
  });

  it('refuses the sample under another token, another corp id, changed ciphertext, out of window', () => {
    expect(
      verifyWecomRequest(sampleGet, { ...sample, token: 'QDG6eL' }, 1409659589_000, crypto),
    ).toMatchObject({
      reason: 'bad-signature',
    });
    expect(
      verifyWecomRequest(sampleGet, { ...sample, corpId: 'wx-other' }, 1409659589_000, crypto),
    ).toMatchObject({
      reason: 'not-ours',
    });
    const changed = withBody(samplePost, samplePost.rawBody.replace('RypEv', 'RypEw'));
    expect(verifyWecomRequest(changed, sample, 1409659813_000, crypto)).toMatchObject({
      reason: 'bad-signature',
    });
    expect(verifyWecomRequest(samplePost, sample, 1409659813_000 + 301_000, crypto)).toMatchObject({
      reason: 'stale',
    });
  });

  it('round-trips our own vectors, a message padded past one 32-byte block included', () => {
    const secrets = {
      token: 'tok',
      encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      corpId: 'ww-corp',
    };
    const xml = `<xml><Content><![CDATA[${'计划'.repeat(40)}]]></Content></xml>`;
    const verified = verifyWecomRequest(
      signedWecomPost(xml, secrets, nowSeconds),
      secrets,
      NOW,
      crypto,
    );
    expect(verified).toMatchObject({ ok: true, kind: 'message', xml });
    expect(
      verifyWecomRequest(signedWecomGet('echo-1', secrets, nowSeconds), secrets, NOW, crypto),
    ).toEqual({
      ok: true,
      kind: 'url-verification',
      echo: 'echo-1',
    });
  });
});
