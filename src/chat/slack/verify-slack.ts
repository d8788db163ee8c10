/**
 * Slack's request signing (version v0): `X-Slack-Signature` is `v0=` and the hex HMAC-SHA256,
 * under the app's signing secret, of `v0:` + `X-Slack-Request-Timestamp` + `:` + the raw body;
 * a timestamp more than five minutes from our clock is refused. Slash commands, interactive
 * payloads and the Events API (its `url_verification` too) are all signed this way.
 */
import { type ChatCrypto, sameSecretText, toHex } from '../chat-crypto.js';
import { type ChatHttpRequest, headerValue } from '../chat-http-request.js';
import { insideReplayWindow, type Refusal, refuse } from '../verification.js';

export const SLACK_REPLAY_WINDOW_MS = 5 * 60 * 1000;

export interface SlackSecrets {
  signingSecret: string;
}

export interface VerifiedSlackRequest {
  ok: true;
  /** The body as signed: form-encoded (slash commands, interactive payloads) or JSON (events). */
  body: string;
  /** The signature: the same bytes delivered twice are one request. */
  replayKey: string;
}

export function verifySlackRequest(
  request: ChatHttpRequest,
  secrets: SlackSecrets,
  nowMs: number,
  crypto: ChatCrypto,
): VerifiedSlackRequest | Refusal {
  const timestamp = headerValue(request, 'x-slack-request-timestamp');
  const signature = headerValue(request, 'x-slack-signature');
  if (timestamp === undefined || signature === undefined) {
    return refuse('unsigned', 'no X-Slack-Request-Timestamp or X-Slack-Signature header');
  }
  if (!insideReplayWindow(timestamp, 1000, nowMs, SLACK_REPLAY_WINDOW_MS)) {
    return refuse('stale', 'X-Slack-Request-Timestamp is more than 5 minutes from now');
  }
  const expected = `v0=${toHex(crypto.hmacSha256(secrets.signingSecret, `v0:${timestamp}:${request.rawBody}`))}`;
  if (!sameSecretText(crypto, expected, signature)) {
    return refuse('bad-signature', 'X-Slack-Signature does not match the body');
  }
  return { ok: true, body: request.rawBody, replayKey: `slack:signature:${signature}` };
}
