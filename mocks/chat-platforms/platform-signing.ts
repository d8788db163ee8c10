/**
 * How each chat platform signs and encrypts what it sends to an app, reimplemented here from
 * the platforms' documentation (never from src/chat, which it checks):
 *
 * - Slack, "Verifying requests from Slack": `X-Slack-Signature` = `v0=` + hex
 *   HMAC-SHA256(signing secret, `v0:` + timestamp + `:` + body), timestamp in seconds.
 * - DingTalk, 企业内部机器人 › 接收消息: headers `timestamp` (ms) and `sign` = base64
 *   HMAC-SHA256(appSecret, timestamp + "\n" + appSecret).
 * - Feishu, 事件订阅 › 接收事件: body `{"encrypt": base64(iv + AES-256-CBC(SHA-256(key)))}`,
 *   `X-Lark-Signature` = hex SHA-256(timestamp + nonce + encrypt key + body).
 * - WeCom, 加解密方案说明: base64 AES-256-CBC (key base64(EncodingAESKey + "="), IV its first 16
 *   bytes, PKCS#7 to 32 bytes) of random(16) + length(4, BE) + msg + corp id; `msg_signature` =
 *   hex SHA-1 of the sorted, joined token, timestamp, nonce and ciphertext.
 */
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/** What the platform sends: method, path with its query, headers, body. */
export interface Delivery {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

export function slackDelivery(body: string, signingSecret: string, nowMs: number): Delivery {
  const timestamp = String(Math.floor(nowMs / 1000));
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  const contentType = body.startsWith('{')
    ? 'application/json'
    : 'application/x-www-form-urlencoded';
  return {
    method: 'POST',
    path: '/chat/slack',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
    body,
  };
}

export function dingtalkDelivery(body: string, appSecret: string, nowMs: number): Delivery {
  const timestamp = String(nowMs);
  const sign = createHmac('sha256', appSecret)
    .update(`${timestamp}\n${appSecret}`)
    .digest('base64');
  return {
    method: 'POST',
    path: '/chat/dingtalk',
    headers: { 'content-type': 'application/json', timestamp, sign },
    body,
  };
}

export function feishuDelivery(event: object, encryptKey: string, nowMs: number): Delivery {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([iv, cipher.update(JSON.stringify(event)), cipher.final()]);
  const body = JSON.stringify({ encrypt: encrypted.toString('base64') });
  const timestamp = String(Math.floor(nowMs / 1000));
  const nonce = randomBytes(8).toString('hex');
  const signature = createHash('sha256')
    .update(`${timestamp}${nonce}${encryptKey}${body}`)
    .digest('hex');
  return {
    method: 'POST',
    path: '/chat/feishu',
    headers: {
      'content-type': 'application/json',
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': signature,
    },
    body,
  };
}

export interface WecomKeys {
  token: string;
  encodingAesKey: string;
  corpId: string;
}

export function wecomEncrypt(message: string, keys: WecomKeys): string {
  const key = Buffer.from(`${keys.encodingAesKey}=`, 'base64');
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(keys.corpId)]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([
    cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString('base64');
}

function wecomQuery(keys: WecomKeys, ciphertext: string, nowMs: number): URLSearchParams {
  const timestamp = String(Math.floor(nowMs / 1000));
  const nonce = String(randomBytes(4).readUInt32BE(0));
  const signature = createHash('sha1')
    .update([keys.token, timestamp, nonce, ciphertext].sort().join(''))
    .digest('hex');
  return new URLSearchParams({ msg_signature: signature, timestamp, nonce });
}

/** The POST of a message to the application's callback URL. */
export function wecomDelivery(messageXml: string, keys: WecomKeys, nowMs: number): Delivery {
  const encrypted = wecomEncrypt(messageXml, keys);
  const query = wecomQuery(keys, encrypted, nowMs);
  return {
    method: 'POST',
    path: `/chat/wecom?${query}`,
    headers: { 'content-type': 'text/xml' },
    body: `<xml><ToUserName><![CDATA[${keys.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`,
  };
}

/** The GET with which WeCom checks the callback URL when an administrator saves it. */
export function wecomUrlCheck(echo: string, keys: WecomKeys, nowMs: number): Delivery {
  const echostr = wecomEncrypt(echo, keys);
  const query = wecomQuery(keys, echostr, nowMs);
  query.set('echostr', echostr);
  return { method: 'GET', path: `/chat/wecom?${query}`, headers: {}, body: '' };
}
