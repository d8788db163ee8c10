/**
 * WeCom (企业微信) application callbacks. `msg_signature` (query) is the hex SHA-1 of the sorted,
 * concatenated token, `timestamp`, `nonce` and ciphertext. The ciphertext — `echostr` on the GET
 * that verifies the URL, the `<Encrypt>` element of a POSTed message — is base64 of AES-256-CBC
 * with key base64(EncodingAESKey + "="), IV the key's first 16 bytes, PKCS#7 padding to 32-byte
 * blocks, over random(16) + msg_len(4, big-endian) + msg + ReceiveId; the ReceiveId (the corp id
 * for an internal application) must be ours.
 *
 * WeCom documents no replay window; we refuse a timestamp more than five minutes from our clock.
 */
import { type ChatCrypto, sameSecretText, toHex } from '../chat-crypto.js';
import { type ChatHttpRequest, queryValue } from '../chat-http-request.js';
import {
  insideReplayWindow,
  type Refusal,
  refuse,
  removePkcs7,
  utf8Text,
} from '../verification.js';
import { readFlatXml } from './flat-xml.js';

export const WECOM_REPLAY_WINDOW_MS = 5 * 60 * 1000;

export interface WecomSecrets {
  token: string;
  /** 43 characters; base64 of the 32-byte AES key without its trailing "=". */
  encodingAesKey: string;
  corpId: string;
}

export type VerifiedWecomRequest =
  | {
      ok: true;
      kind: 'url-verification' /** The plaintext to answer the GET with. */;
      echo: string;
    }
  | { ok: true; kind: 'message' /** The decrypted message XML. */; xml: string; replayKey: string };

export function verifyWecomRequest(
  request: ChatHttpRequest,
  secrets: WecomSecrets,
  nowMs: number,
  crypto: ChatCrypto,
): VerifiedWecomRequest | Refusal {
  const signature = queryValue(request, 'msg_signature');
  const timestamp = queryValue(request, 'timestamp');
  const nonce = queryValue(request, 'nonce');
  if (signature === undefined || timestamp === undefined || nonce === undefined) {
    return refuse('unsigned', 'no msg_signature, timestamp or nonce parameter');
  }
  const isGet = request.method.toUpperCase() === 'GET';
  const ciphertext = isGet
    ? queryValue(request, 'echostr')
    : readFlatXml(request.rawBody)?.get('Encrypt');
  if (ciphertext === undefined) {
    return refuse('unsigned', isGet ? 'no echostr parameter' : 'no <Encrypt> element in the body');
  }
  if (!insideReplayWindow(timestamp, 1000, nowMs, WECOM_REPLAY_WINDOW_MS)) {
    return refuse('stale', 'the timestamp parameter is more than 5 minutes from now');
  }
  const expected = wecomSignature(crypto, secrets.token, timestamp, nonce, ciphertext);
  if (!sameSecretText(crypto, expected, signature)) {
    return refuse('bad-signature', 'msg_signature does not match');
  }
  const opened = decryptWecom(ciphertext, secrets.encodingAesKey, crypto);
  if (opened === undefined) return refuse('malformed', 'the ciphertext does not decrypt');
  if (!sameSecretText(crypto, opened.receiveId, secrets.corpId)) {
    return refuse('not-ours', 'the message is for another corp id');
  }
  return isGet
    ? { ok: true, kind: 'url-verification', echo: opened.message }
    : { ok: true, kind: 'message', xml: opened.message, replayKey: `wecom:signature:${signature}` };
}

/** msg_signature: SHA-1 of the four values sorted and joined. */
export function wecomSignature(
  crypto: ChatCrypto,
  token: string,
  timestamp: string,
  nonce: string,
  ciphertext: string,
): string {
  return toHex(crypto.sha1([token, timestamp, nonce, ciphertext].sort().join('')));
}

/** Opens WeCom's ciphertext into the message and the ReceiveId it was sealed for. */
export function decryptWecom(
  ciphertext: string,
  encodingAesKey: string,
  crypto: ChatCrypto,
): { message: string; receiveId: string } | undefined {
  const key = crypto.decodeBase64(`${encodingAesKey}=`);
  const data = crypto.decodeBase64(ciphertext);
  if (key === undefined || key.length !== 32 || data === undefined) return undefined;
  const padded = crypto.decryptAes256Cbc(key, key.subarray(0, 16), data);
  const plain = padded === undefined ? undefined : removePkcs7(padded, 32);
  if (plain === undefined || plain.length < 20) return undefined;
  const length = new DataView(plain.buffer, plain.byteOffset + 16, 4).getUint32(0, false);
  if (20 + length > plain.length) return undefined;
  const message = utf8Text(plain.subarray(20, 20 + length));
  const receiveId = utf8Text(plain.subarray(20 + length));
  return message === undefined || receiveId === undefined ? undefined : { message, receiveId };
}
