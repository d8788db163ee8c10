/**
 * The older RPC signature (V1, HMAC-SHA1; docs/aliyun.md, "The wire" and "Verifying a
 * signature"): every parameter but `Signature`, sorted and percent-encoded, signed with
 * `secret&`. Pure functions.
 */
import { createHmac } from 'node:crypto';
import { percentEncode, sortPairs } from './percent-encode.js';

export function v1StringToSign(method: string, params: [string, string][]): string {
  const canonical = sortPairs(params.filter(([key]) => key !== 'Signature'))
    .map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

export function v1Signature(stringToSign: string, secret: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}
