/**
 * Decides whether a call is properly signed, with the codes the real gateway answers:
 * ACS3-HMAC-SHA256 (what the current SDKs send) or V1 HMAC-SHA1 (older RPC clients). Also refuses
 * stale timestamps (15-minute window) and replayed nonces.
 *
 * Unconfirmed details, kept here in one place: the exact code for a malformed or unsigned required
 * header (IncompleteSignature is used), the code for a missing V1 Timestamp or SignatureNonce
 * (IncompleteSignature), and the status of MissingAccessKeyId (400). SignatureNonceUsed and
 * InvalidTimeStamp.Expired are the common POP gateway codes; the window is the documented 15 min.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  IncompleteSignature,
  InvalidAccessKeyIdNotFound,
  InvalidTimeStampExpired,
  InvalidTimeStampFormat,
  MissingAccessKeyId,
  SignatureDoesNotMatch,
  SignatureNonceUsed,
} from '../api-error.js';
import { ACS3_ALGORITHM, acs3Signature, acs3StringToSign, parseAcs3Authorization } from './acs3.js';
import { NonceCache } from './nonce-cache.js';
import { v1Signature, v1StringToSign } from './v1.js';

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
}

/** A call as the signature sees it: decoded query and form pairs, headers in lower case. */
export interface SignedCall {
  method: string;
  path: string;
  query: [string, string][];
  form: [string, string][];
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

export type SignatureVersion = 'ACS3-HMAC-SHA256' | 'HMAC-SHA1';

export interface SignatureVerifier {
  /** Throws the real error when the call is not properly signed. */
  verify(call: SignedCall): SignatureVersion;
}

export const TIMESTAMP_WINDOW_MS = 15 * 60 * 1000;
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export function createSignatureVerifier(options: {
  credentials: Credentials;
  now?: () => number;
  windowMs?: number;
}): SignatureVerifier {
  const now = options.now ?? Date.now;
  const windowMs = options.windowMs ?? TIMESTAMP_WINDOW_MS;
  const nonces = new NonceCache(2 * windowMs);
  const { accessKeyId, accessKeySecret } = options.credentials;

  function checkKey(candidate: string): void {
    if (candidate !== accessKeyId) throw new InvalidAccessKeyIdNotFound();
  }

  function checkTime(value: string, name: string): void {
    const at = Date.parse(value);
    if (!ISO_SECONDS.test(value) || Number.isNaN(at)) throw new InvalidTimeStampFormat(value);
    const serverTime = now();
    if (Math.abs(serverTime - at) > windowMs) {
      throw new InvalidTimeStampExpired(
        `${name} ${value} is more than ${windowMs / 60_000} minutes from the server time ${new Date(serverTime).toISOString()}.`,
      );
    }
  }

  function checkSignature(expected: string, given: string, stringToSign: string): void {
    const a = Buffer.from(expected);
    const b = Buffer.from(given);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new SignatureDoesNotMatch(stringToSign);
    }
  }

  function checkNonce(nonce: string): void {
    if (!nonces.remember(`${accessKeyId}:${nonce}`, now())) throw new SignatureNonceUsed();
  }

  function verifyAcs3(call: SignedCall, header: string): SignatureVersion {
    const auth = parseAcs3Authorization(header);
    if (!auth) {
      throw new IncompleteSignature(
        `Authorization must be "${ACS3_ALGORITHM} Credential=<AccessKeyId>,SignedHeaders=<a;b>,Signature=<hex>".`,
      );
    }
    checkKey(auth.accessKeyId);
    const signed = new Set(auth.signedHeaders.map((name) => name.toLowerCase()));
    for (const name of ['host', 'x-acs-date', 'x-acs-signature-nonce']) {
      if (call.headers[name] === undefined)
        throw new IncompleteSignature(`Header ${name} is missing.`);
      if (!signed.has(name)) throw new IncompleteSignature(`Header ${name} must be signed.`);
    }
    for (const name of Object.keys(call.headers)) {
      if (name.startsWith('x-acs-') && !signed.has(name)) {
        throw new IncompleteSignature(`Header ${name} must be signed.`);
      }
    }
    checkTime(String(call.headers['x-acs-date']), 'x-acs-date');
    const stringToSign = acs3StringToSign({
      method: call.method,
      path: call.path,
      query: call.query,
      headers: call.headers,
      signedHeaders: auth.signedHeaders,
      body: call.body,
    });
    checkSignature(acs3Signature(stringToSign, accessKeySecret), auth.signature, stringToSign);
    checkNonce(String(call.headers['x-acs-signature-nonce']));
    return ACS3_ALGORITHM;
  }

  function verifyV1(call: SignedCall): SignatureVersion {
    const params = [...call.query, ...call.form];
    const get = (name: string) => params.find(([key]) => key === name)?.[1];
    const key = get('AccessKeyId');
    if (!key) throw new MissingAccessKeyId();
    const signature = get('Signature');
    if (!signature) throw new IncompleteSignature('Parameter Signature is missing.');
    if (get('SignatureMethod') !== 'HMAC-SHA1') {
      throw new IncompleteSignature('SignatureMethod must be HMAC-SHA1.');
    }
    const timestamp = get('Timestamp');
    const nonce = get('SignatureNonce');
    if (!timestamp) throw new IncompleteSignature('Parameter Timestamp is missing.');
    if (!nonce) throw new IncompleteSignature('Parameter SignatureNonce is missing.');
    checkKey(key);
    checkTime(timestamp, 'Timestamp');
    const stringToSign = v1StringToSign(call.method, params);
    checkSignature(v1Signature(stringToSign, accessKeySecret), signature, stringToSign);
    checkNonce(nonce);
    return 'HMAC-SHA1';
  }

  return {
    verify(call) {
      const authorization = call.headers.authorization;
      if (typeof authorization === 'string' && authorization !== '') {
        if (authorization.startsWith('ACS3-')) return verifyAcs3(call, authorization);
        throw new IncompleteSignature(`Unsupported Authorization scheme; use ${ACS3_ALGORITHM}.`);
      }
      return verifyV1(call);
    },
  };
}
