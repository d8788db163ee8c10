/**
 * Requests signed and encrypted the way each chat platform does it, written independently of
 * src/chat on node:crypto so the verifiers are checked against a second implementation (and
 * the platforms' published vectors, in the tests).
 */
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import type { ChatHttpRequest } from '#src/chat/index.js';

export function signedSlackRequest(
  body: string,
  signingSecret: string,
  timestampSeconds: number,
): ChatHttpRequest {
  const timestamp = String(timestampSeconds);
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    method: 'POST',
    headers: { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
    rawBody: body,
  };
}

export function signedDingtalkRequest(
  body: string,
  appSecret: string,
  timestampMs: number,
): ChatHttpRequest {
  const timestamp = String(timestampMs);
  const sign = createHmac('sha256', appSecret)
    .update(`${timestamp}\n${appSecret}`)
    .digest('base64');
  return { method: 'POST', headers: { timestamp, sign }, rawBody: body };
}

/** Feishu's encryption: AES-256-CBC under SHA-256(key), a random IV in front, PKCS#7. */
export function feishuEncrypt(plain: string, encryptKey: string): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
}

export function signedFeishuRequest(
  body: string,
  encryptKey: string,
  timestampSeconds: number,
  nonce = randomBytes(8).toString('hex'),
): ChatHttpRequest {
  const timestamp = String(timestampSeconds);
  const signature = createHash('sha256')
    .update(`${timestamp}${nonce}${encryptKey}${body}`)
    .digest('hex');
  return {
    method: 'POST',
    headers: {
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': signature,
    },
    rawBody: body,
  };
}

/** An encrypted Feishu event body, signed. */
export function encryptedFeishuEvent(
  event: object,
  encryptKey: string,
  timestampSeconds: number,
): ChatHttpRequest {
  const body = JSON.stringify({ encrypt: feishuEncrypt(JSON.stringify(event), encryptKey) });
  return signedFeishuRequest(body, encryptKey, timestampSeconds);
}

export interface WecomTestSecrets {
  token: string;
  encodingAesKey: string;
  corpId: string;
}

/** WeCom's encryption: random(16) + length(4, BE) + message + ReceiveId, PKCS#7 to 32 bytes. */
export function wecomEncrypt(message: string, encodingAesKey: string, receiveId: string): string {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(receiveId, 'utf8')]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

function wecomSignatureOf(values: string[]): string {
  return createHash('sha1')
    .update([...values].sort().join(''))
    .digest('hex');
}

export function signedWecomPost(
  messageXml: string,
  secrets: WecomTestSecrets,
  timestampSeconds: number,
  nonce = String(randomBytes(4).readUInt32BE(0)),
): ChatHttpRequest {
  const encrypted = wecomEncrypt(messageXml, secrets.encodingAesKey, secrets.corpId);
  const timestamp = String(timestampSeconds);
  return {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    query: {
      msg_signature: wecomSignatureOf([secrets.token, timestamp, nonce, encrypted]),
      timestamp,
      nonce,
    },
    rawBody: `<xml><ToUserName><![CDATA[${secrets.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`,
  };
}

export function signedWecomGet(
  echo: string,
  secrets: WecomTestSecrets,
  timestampSeconds: number,
): ChatHttpRequest {
  const echostr = wecomEncrypt(echo, secrets.encodingAesKey, secrets.corpId);
  const timestamp = String(timestampSeconds);
  const nonce = '1234567';
  return {
    method: 'GET',
    headers: {},
    query: {
      msg_signature: wecomSignatureOf([secrets.token, timestamp, nonce, echostr]),
      timestamp,
      nonce,
      echostr,
    },
    rawBody: '',
  };
}
