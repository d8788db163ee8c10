/**
 * ChatCrypto on node:crypto: the only module of src/chat with a node:* import, so the verifiers
 * stay pure and the dependency rules can say so.
 */
import { createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ChatCrypto } from './chat-crypto.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const nodeChatCrypto: ChatCrypto = {
  hmacSha256: (key, message) => createHmac('sha256', key).update(message, 'utf8').digest(),
  sha256: (text) => createHash('sha256').update(text, 'utf8').digest(),
  sha1: (text) => createHash('sha1').update(text, 'utf8').digest(),
  decodeBase64: (text) => (BASE64.test(text) ? Buffer.from(text, 'base64') : undefined),
  encodeBase64: (bytes) => Buffer.from(bytes).toString('base64'),
  decryptAes256Cbc(key, iv, data) {
    if (key.length !== 32 || iv.length !== 16 || data.length === 0 || data.length % 16 !== 0) {
      return undefined;
    }
    const decipher = createDecipheriv('aes-256-cbc', key, iv);
    decipher.setAutoPadding(false);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  },
  timingSafeEqual: (a, b) => a.length === b.length && timingSafeEqual(a, b),
};
