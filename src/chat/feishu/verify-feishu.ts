/**
 * Feishu/Lark event subscriptions over HTTP. An event carries `X-Lark-Request-Timestamp`
 * (seconds), `X-Lark-Request-Nonce` and `X-Lark-Signature`, the hex SHA-256 of timestamp + nonce
 * + Encrypt Key + raw body. With an Encrypt Key set the body is `{"encrypt": base64}`: AES-256-CBC
 * under SHA-256(Encrypt Key), the first 16 bytes the IV, PKCS#7 padding. The decrypted event holds
 * the Verification Token (`header.token` in schema 2.0, `token` before), which must be ours.
 *
 * The `url_verification` challenge is not signed (Feishu's docs exclude it from the signature
 * check): it is accepted unsigned only when its token is ours, and answers nothing but the
 * challenge. Feishu documents no replay window; we refuse a timestamp more than five minutes from
 * our clock, as Slack does, so a delivery held back for long does not act late.
 */
import { type ChatCrypto, sameSecretText, toHex } from '../chat-crypto.js';
import { type ChatHttpRequest, headerValue } from '../chat-http-request.js';
import { isObject, parseObject } from '../json-object.js';
import {
  insideReplayWindow,
  type Refusal,
  refuse,
  removePkcs7,
  utf8Text,
} from '../verification.js';

export const FEISHU_REPLAY_WINDOW_MS = 5 * 60 * 1000;

export interface FeishuSecrets {
  encryptKey: string;
  verificationToken: string;
}

export type VerifiedFeishuRequest =
  | { ok: true; kind: 'url-verification'; challenge: string }
  | {
      ok: true;
      kind: 'event';
      /** The event as an object (decrypted when it came encrypted). */
      event: Readonly<Record<string, unknown>>;
      replayKey: string;
    };

export function verifyFeishuRequest(
  request: ChatHttpRequest,
  secrets: FeishuSecrets,
  nowMs: number,
  crypto: ChatCrypto,
): VerifiedFeishuRequest | Refusal {
  const signature = headerValue(request, 'x-lark-signature');
  const signed = signature !== undefined;
  if (signed) {
    const checked = checkSignature(request, signature, secrets, nowMs, crypto);
    if (checked !== undefined) return checked;
  } else if (!mayBeUrlVerification(request.rawBody)) {
    // Only the url_verification challenge comes unsigned: anything else is refused before it is
    // decrypted or parsed.
    return refuse('unsigned', 'a request without X-Lark-Signature that is not a URL check');
  }
  const payload = readPayload(request.rawBody, secrets.encryptKey, crypto);
  if (payload === undefined)
    return refuse('malformed', 'the body is not a (decryptable) JSON object');

  if (payload.type === 'url_verification') {
    if (
      typeof payload.token !== 'string' ||
      !sameSecretText(crypto, payload.token, secrets.verificationToken)
    ) {
      return refuse('not-ours', 'url_verification with a token that is not ours');
    }
    if (typeof payload.challenge !== 'string')
      return refuse('malformed', 'url_verification without a challenge');
    return { ok: true, kind: 'url-verification', challenge: payload.challenge };
  }
  if (!signed) return refuse('unsigned', 'an event without X-Lark-Signature');
  const token = eventToken(payload);
  if (token === undefined || !sameSecretText(crypto, token, secrets.verificationToken)) {
    return refuse('not-ours', 'the event’s verification token is not ours');
  }
  return { ok: true, kind: 'event', event: payload, replayKey: `feishu:signature:${signature}` };
}

function checkSignature(
  request: ChatHttpRequest,
  signature: string,
  secrets: FeishuSecrets,
  nowMs: number,
  crypto: ChatCrypto,
): Refusal | undefined {
  const timestamp = headerValue(request, 'x-lark-request-timestamp');
  const nonce = headerValue(request, 'x-lark-request-nonce');
  if (timestamp === undefined || nonce === undefined) {
    return refuse('unsigned', 'no X-Lark-Request-Timestamp or X-Lark-Request-Nonce header');
  }
  if (!insideReplayWindow(timestamp, 1000, nowMs, FEISHU_REPLAY_WINDOW_MS)) {
    return refuse('stale', 'X-Lark-Request-Timestamp is more than 5 minutes from now');
  }
  const expected = toHex(
    crypto.sha256(`${timestamp}${nonce}${secrets.encryptKey}${request.rawBody}`),
  );
  if (!sameSecretText(crypto, expected, signature)) {
    return refuse('bad-signature', 'X-Lark-Signature does not match the body');
  }
  return undefined;
}

/**
 * The challenge is a few hundred bytes; bigger is not one. Plain, it names its type before
 * anything is decrypted; encrypted, it is `{"encrypt": …}` alone.
 */
const URL_VERIFICATION_MAX_BYTES = 1024;

function mayBeUrlVerification(rawBody: string): boolean {
  if (rawBody.length > URL_VERIFICATION_MAX_BYTES) return false;
  const outer = parseObject(rawBody);
  if (outer === undefined) return false;
  if ('encrypt' in outer) return Object.keys(outer).length === 1;
  return outer.type === 'url_verification';
}

/** The body as an object, decrypted when it is `{"encrypt": …}`. */
function readPayload(
  rawBody: string,
  encryptKey: string,
  crypto: ChatCrypto,
): Record<string, unknown> | undefined {
  const outer = parseObject(rawBody);
  if (outer === undefined) return undefined;
  if (!('encrypt' in outer)) return outer;
  if (typeof outer.encrypt !== 'string') return undefined;
  const plain = decryptFeishu(outer.encrypt, encryptKey, crypto);
  return plain === undefined ? undefined : parseObject(plain);
}

/** Feishu's AES-256-CBC: key SHA-256(Encrypt Key), IV the first 16 bytes, PKCS#7. */
export function decryptFeishu(
  encrypted: string,
  encryptKey: string,
  crypto: ChatCrypto,
): string | undefined {
  const data = crypto.decodeBase64(encrypted);
  if (data === undefined || data.length < 32) return undefined;
  const padded = crypto.decryptAes256Cbc(
    crypto.sha256(encryptKey),
    data.subarray(0, 16),
    data.subarray(16),
  );
  const plain = padded === undefined ? undefined : removePkcs7(padded, 16);
  return plain === undefined ? undefined : utf8Text(plain);
}

function eventToken(payload: Record<string, unknown>): string | undefined {
  const header = payload.header;
  if (isObject(header) && typeof header.token === 'string') return header.token;
  return typeof payload.token === 'string' ? payload.token : undefined;
}
