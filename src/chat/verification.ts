/**
 * What a platform verifier answers, and the rules the four share: a refusal names why (for the
 * journal and the 401, never the secret), and a timestamp counts only inside the platform's
 * replay window.
 */

export type RefusalReason =
  /** A signature, timestamp or nonce the platform always sends is missing. */
  | 'unsigned'
  /** The signature does not match: a wrong secret, or a body or timestamp changed on the way. */
  | 'bad-signature'
  /** The timestamp is outside the replay window. */
  | 'stale'
  /** The verification token (Feishu) or the receiver id (WeCom) is not ours. */
  | 'not-ours'
  /** Signed correctly but unreadable: bad base64, bad padding, not JSON or XML. */
  | 'malformed';

export interface Refusal {
  ok: false;
  reason: RefusalReason;
  /** One line for the journal; holds no secret and no request content. */
  detail: string;
}

export function refuse(reason: RefusalReason, detail: string): Refusal {
  return { ok: false, reason, detail };
}

const DIGITS = /^\d{1,16}$/;

/**
 * Whether a platform's timestamp (decimal text, in `unitMs` milliseconds per unit) lies within
 * `windowMs` of now, either side: a clock ahead of ours is as suspect as one behind.
 */
export function insideReplayWindow(
  timestamp: string,
  unitMs: number,
  nowMs: number,
  windowMs: number,
): boolean {
  if (!DIGITS.test(timestamp)) return false;
  const sentAtMs = Number(timestamp) * unitMs;
  return Math.abs(nowMs - sentAtMs) <= windowMs;
}

/**
 * Removes PKCS#7 padding for blocks of `blockSize` bytes (Feishu pads to 16, WeCom to 32);
 * undefined when the padding is not well formed.
 */
export function removePkcs7(bytes: Uint8Array, blockSize: number): Uint8Array | undefined {
  if (bytes.length === 0 || bytes.length % 16 !== 0) return undefined;
  const pad = bytes[bytes.length - 1] ?? 0;
  if (pad < 1 || pad > blockSize || pad > bytes.length) return undefined;
  for (let i = bytes.length - pad; i < bytes.length; i += 1) {
    if (bytes[i] !== pad) return undefined;
  }
  return bytes.subarray(0, bytes.length - pad);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as UTF-8 text; undefined when they are not valid UTF-8. */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
