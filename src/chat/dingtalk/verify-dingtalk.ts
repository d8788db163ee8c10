/**
 * DingTalk's outgoing robot (企业内部机器人, HTTP mode): the `timestamp` header (milliseconds)
 * and the `sign` header, base64 of HMAC-SHA256 of `timestamp + "\n" + appSecret` under the
 * appSecret; a timestamp more than one hour from our clock is refused.
 *
 * The signature covers the timestamp alone, not the body: the same (timestamp, sign) pair is
 * accepted with any body for the hour. The pair is therefore the replay key — used once, it is
 * spent — and DingTalk's Stream mode, which needs no public endpoint, is the safer choice.
 */
import { type ChatCrypto, sameSecretText } from '../chat-crypto.js';
import { type ChatHttpRequest, headerValue } from '../chat-http-request.js';
import { insideReplayWindow, type Refusal, refuse } from '../verification.js';

export const DINGTALK_REPLAY_WINDOW_MS = 60 * 60 * 1000;

export interface DingtalkSecrets {
  appSecret: string;
}

export interface VerifiedDingtalkRequest {
  ok: true;
  body: string;
  /** The (timestamp, sign) pair: what the signature authenticates, so it may serve once. */
  replayKey: string;
}

export function verifyDingtalkRequest(
  request: ChatHttpRequest,
  secrets: DingtalkSecrets,
  nowMs: number,
  crypto: ChatCrypto,
): VerifiedDingtalkRequest | Refusal {
  const timestamp = headerValue(request, 'timestamp');
  const sign = headerValue(request, 'sign');
  if (timestamp === undefined || sign === undefined) {
    return refuse('unsigned', 'no timestamp or sign header');
  }
  if (!insideReplayWindow(timestamp, 1, nowMs, DINGTALK_REPLAY_WINDOW_MS)) {
    return refuse('stale', 'the timestamp header is more than 1 hour from now');
  }
  const expected = crypto.encodeBase64(
    crypto.hmacSha256(secrets.appSecret, `${timestamp}\n${secrets.appSecret}`),
  );
  if (!sameSecretText(crypto, expected, sign)) {
    return refuse('bad-signature', 'the sign header does not match the timestamp');
  }
  return { ok: true, body: request.rawBody, replayKey: `dingtalk:sign:${timestamp}:${sign}` };
}
