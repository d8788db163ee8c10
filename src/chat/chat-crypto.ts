/**
 * The hashing, HMAC and AES the chat platforms' request checks need, as a port. The verifiers
 * and parsers of src/chat are pure and take this in; `node-chat-crypto.ts` is the one module of
 * src/chat that imports node:crypto, and the caller (serve, the tests) hands it over.
 */
export interface ChatCrypto {
  /** HMAC-SHA256 of the UTF-8 message under the UTF-8 key. */
  hmacSha256(key: string, message: string): Uint8Array;
  /** SHA-256 of the UTF-8 text. */
  sha256(text: string): Uint8Array;
  /** SHA-1 of the UTF-8 text. */
  sha1(text: string): Uint8Array;
  /** Standard base64 (RFC 4648 §4, padded); undefined for anything else. */
  decodeBase64(text: string): Uint8Array | undefined;
  encodeBase64(bytes: Uint8Array): string;
  /**
   * AES-256-CBC decryption that leaves the padding in place (WeCom pads to 32-byte blocks, which
   * a PKCS#7 check on 16-byte blocks would refuse); undefined when the key, the IV or the data's
   * length does not fit.
   */
  decryptAes256Cbc(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array | undefined;
  /** Equal bytes, compared in constant time; false when the lengths differ. */
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
}

const encoder = new TextEncoder();

/** Two texts compared in constant time (for signatures and tokens). */
export function sameSecretText(crypto: ChatCrypto, a: string, b: string): boolean {
  return crypto.timingSafeEqual(encoder.encode(a), encoder.encode(b));
}

/** Lower-case hex of bytes, as the platforms write digests. */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
