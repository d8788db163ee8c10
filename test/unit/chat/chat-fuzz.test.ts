/**
 * Random requests into every verifier and parser: none throws, whatever arrives. And the
 * refusals as properties: any change to a signed body, any other secret, any timestamp outside
 * the window, and any second delivery of an event id are refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ChatHttpRequest,
  InMemoryReplayGuard,
  nodeChatCrypto,
  parseCommand,
  parseDingtalkMessage,
  parseFeishuEvent,
  parseSlackMessage,
  parseWecomMessage,
  verifyDingtalkRequest,
  verifyFeishuRequest,
  verifySlackRequest,
  verifyWecomRequest,
} from '#src/chat/index.js';
import {
  encryptedFeishuEvent,
  signedDingtalkRequest,
  signedSlackRequest,
  signedWecomPost,
} from '#support/chat-signing.js';

const crypto = nodeChatCrypto;
const NOW = Date.UTC(2026, 0, 15, 2, 0, 0);
const RUNS = { numRuns: 300 };

const slack = { signingSecret: 'slack-secret' };
const dingtalk = { appSecret: 'ding-secret' };
const feishu = { encryptKey: 'feishu-key', verificationToken: 'feishu-token' };
const wecom = {
  token: 'wecom-token',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  corpId: 'ww-corp',
};

const headerNames = fc.constantFrom(
  'x-slack-signature',
  'X-Slack-Request-Timestamp',
  'timestamp',
  'sign',
  'x-lark-signature',
  'x-lark-request-timestamp',
  'x-lark-request-nonce',
  'content-type',
);
const headerValues = fc.oneof(
  fc.string(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.constant(undefined),
);
const bodies = fc.oneof(
  fc.string(),
  fc.json(),
  fc.string().map((text) => `<xml><Encrypt><![CDATA[${text}]]></Encrypt></xml>`),
  fc.base64String().map((text) => JSON.stringify({ encrypt: text })),
);
const requests: fc.Arbitrary<ChatHttpRequest> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'get'),
  headers: fc.dictionary(headerNames, headerValues),
  query: fc.dictionary(
    fc.constantFrom('msg_signature', 'timestamp', 'nonce', 'echostr'),
    headerValues,
  ),
  rawBody: bodies,
});

describe('no input makes a verifier or parser throw', () => {
  it('verifiers', () => {
    fc.assert(
      fc.property(requests, fc.integer({ min: 0, max: 2 ** 42 }), (request, now) => {
        for (const verdict of [
          verifySlackRequest(request, slack, now, crypto),
          verifyDingtalkRequest(request, dingtalk, now, crypto),
          verifyFeishuRequest(request, feishu, now, crypto),
          verifyWecomRequest(request, wecom, now, crypto),
        ]) {
          expect(typeof verdict.ok).toBe('boolean');
        }
      }),
      RUNS,
    );
  });

  it('signed and encrypted random content, through verification into the parsers', () => {
    const seconds = Math.floor(NOW / 1000);
    fc.assert(
      fc.property(bodies, fc.jsonValue(), (body, value) => {
        const slackVerdict = verifySlackRequest(
          signedSlackRequest(body, slack.signingSecret, seconds),
          slack,
          NOW,
          crypto,
        );
        if (slackVerdict.ok) parseSlackMessage(slackVerdict.body);
        const dingVerdict = verifyDingtalkRequest(
          signedDingtalkRequest(body, dingtalk.appSecret, NOW),
          dingtalk,
          NOW,
          crypto,
        );
        if (dingVerdict.ok) parseDingtalkMessage(dingVerdict.body);
        const event =
          typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { value };
        const feishuVerdict = verifyFeishuRequest(
          encryptedFeishuEvent(
            { ...event, header: { token: feishu.verificationToken } },
            feishu.encryptKey,
            seconds,
          ),
          feishu,
          NOW,
          crypto,
        );
        expect(feishuVerdict.ok).toBe(true);
        if (feishuVerdict.ok && feishuVerdict.kind === 'event')
          parseFeishuEvent(feishuVerdict.event);
        const wecomVerdict = verifyWecomRequest(
          signedWecomPost(body, wecom, seconds),
          wecom,
          NOW,
          crypto,
        );
        expect(wecomVerdict.ok).toBe(true);
        if (wecomVerdict.ok && wecomVerdict.kind === 'message') parseWecomMessage(wecomVerdict.xml);
      }),
      RUNS,
    );
  });

  it('parsers and the command grammar', () => {
    fc.assert(
      fc.property(bodies, fc.jsonValue(), (body, value) => {
        parseSlackMessage(body);
        parseDingtalkMessage(body);
        parseWecomMessage(body);
        parseCommand(body, ['web-night']);
        if (typeof value === 'object' && value !== null && !Array.isArray(value))
          parseFeishuEvent(value);
      }),
      RUNS,
    );
  });
});

/** A body changed at one position to another character. */
const tamper = (body: string) =>
  fc
    .tuple(fc.nat({ max: Math.max(body.length - 1, 0) }), fc.string({ minLength: 1, maxLength: 1 }))
    .filter(([at, char]) => body.length > 0 && body[at] !== char)
    .map(([at, char]) => `${body.slice(0, at)}${char}${body.slice(at + 1)}`);

describe('tampering, other secrets, stale timestamps and replays are refused', () => {
  const seconds = Math.floor(NOW / 1000);

  it('Slack: any changed byte of the body', () => {
    const body = 'command=%2Fdrain&text=run+web-night&user_id=U1&channel_id=C1&trigger_id=t';
    const request = signedSlackRequest(body, slack.signingSecret, seconds);
    fc.assert(
      fc.property(tamper(body), (changed) => {
        expect(verifySlackRequest({ ...request, rawBody: changed }, slack, NOW, crypto).ok).toBe(
          false,
        );
      }),
      RUNS,
    );
  });

  it('every platform: another secret, or a timestamp outside the window', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.integer({ min: 3_600_001, max: 10 ** 10 }),
        fc.boolean(),
        (other, offMs, ahead) => {
          const off = ahead ? offMs : -offMs;
          const slackRequest = signedSlackRequest('a=b', slack.signingSecret, seconds);
          const dingRequest = signedDingtalkRequest('{}', dingtalk.appSecret, NOW);
          const feishuRequest = encryptedFeishuEvent(
            { header: { token: feishu.verificationToken } },
            feishu.encryptKey,
            seconds,
          );
          const wecomRequest = signedWecomPost('<xml></xml>', wecom, seconds);
          if (other !== slack.signingSecret) {
            expect(verifySlackRequest(slackRequest, { signingSecret: other }, NOW, crypto).ok).toBe(
              false,
            );
          }
          if (other !== dingtalk.appSecret) {
            expect(verifyDingtalkRequest(dingRequest, { appSecret: other }, NOW, crypto).ok).toBe(
              false,
            );
          }
          if (other !== feishu.encryptKey) {
            expect(
              verifyFeishuRequest(feishuRequest, { ...feishu, encryptKey: other }, NOW, crypto).ok,
            ).toBe(false);
          }
          if (other !== wecom.token) {
            expect(
              verifyWecomRequest(wecomRequest, { ...wecom, token: other }, NOW, crypto).ok,
            ).toBe(false);
          }
          expect(verifySlackRequest(slackRequest, slack, NOW + off, crypto)).toMatchObject({
            reason: 'stale',
          });
          expect(verifyDingtalkRequest(dingRequest, dingtalk, NOW + off, crypto)).toMatchObject({
            reason: 'stale',
          });
          expect(verifyFeishuRequest(feishuRequest, feishu, NOW + off, crypto)).toMatchObject({
            reason: 'stale',
          });
          expect(verifyWecomRequest(wecomRequest, wecom, NOW + off, crypto)).toMatchObject({
            reason: 'stale',
          });
        },
      ),
      { numRuns: 50 },
    );
  });

  it('a replayed event id or signature is claimed only once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 30 }),
        async (keys) => {
          const guard = new InMemoryReplayGuard();
          const firsts = await Promise.all(keys.map((key) => guard.claim(key, NOW, 60_000)));
          expect(firsts.filter(Boolean)).toHaveLength(new Set(keys).size);
        },
      ),
      { numRuns: 100 },
    );
  });
});
