/**
 * Signs requests by hand, straight from docs/aliyun.md, "Verifying a signature" (independent of
 * mocks/server/signature, so the two implementations check each other), and sends them with
 * fetch. Lets tests send what the SDKs never would: tampered queries, stale dates, replayed
 * nonces, V1 signatures.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const KEY_ID = 'LTAI5tEmulatorLocalOnly';
export const SECRET = 'emulator-local-secret';

function enc(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function sortedQuery(params: Record<string, string>, encodeKeys: boolean): string {
  return Object.keys(params)
    .sort()
    .map((key) => `${encodeKeys ? enc(key) : key}=${enc(params[key] ?? '')}`)
    .join('&');
}

export interface Acs3Options {
  endpoint: string;
  action: string;
  version: string;
  query: Record<string, string>;
  keyId?: string;
  secret?: string;
  /** ISO date without milliseconds; defaults to now. */
  date?: string;
  nonce?: string;
}

export interface SignedRequest {
  url: string;
  init: { method: string; headers: Record<string, string> };
}

export function signAcs3(options: Acs3Options): SignedRequest {
  const host = new URL(options.endpoint).host;
  const payloadHash = createHash('sha256').update('').digest('hex');
  const headers: Record<string, string> = {
    host,
    'x-acs-action': options.action,
    'x-acs-version': options.version,
    'x-acs-date': options.date ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': options.nonce ?? randomBytes(32).toString('hex'),
    'x-acs-content-sha256': payloadHash,
  };
  const names = Object.keys(headers).sort();
  const canonical = [
    'POST',
    '/',
    sortedQuery(options.query, false),
    names.map((name) => `${name}:${headers[name]}\n`).join(''),
    names.join(';'),
    payloadHash,
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
  const signature = createHmac('sha256', options.secret ?? SECRET)
    .update(stringToSign)
    .digest('hex');
  const { host: _host, ...sent } = headers;
  return {
    url: `${options.endpoint}/?${sortedQuery(options.query, true)}`,
    init: {
      method: 'POST',
      headers: {
        ...sent,
        authorization: `ACS3-HMAC-SHA256 Credential=${options.keyId ?? KEY_ID},SignedHeaders=${names.join(';')},Signature=${signature}`,
      },
    },
  };
}

export interface V1Options {
  endpoint: string;
  method: 'GET' | 'POST';
  action: string;
  version: string;
  params: Record<string, string>;
  /** POST only: send the API parameters as a form body instead of the query. */
  asForm?: boolean;
  timestamp?: string;
  nonce?: string;
  secret?: string;
}

export function signV1(options: V1Options): { url: string; init: RequestInit } {
  const all: Record<string, string> = {
    ...options.params,
    Action: options.action,
    Version: options.version,
    Format: 'json',
    AccessKeyId: KEY_ID,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: options.nonce ?? randomBytes(16).toString('hex'),
    Timestamp: options.timestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  const stringToSign = `${options.method}&${enc('/')}&${enc(sortedQuery(all, true))}`;
  const signature = createHmac('sha1', `${options.secret ?? SECRET}&`)
    .update(stringToSign)
    .digest('base64');
  const signed: Record<string, string> = { ...all, Signature: signature };
  if (options.method === 'POST' && options.asForm) {
    const form = Object.fromEntries(Object.keys(options.params).map((k) => [k, signed[k] ?? '']));
    const query = Object.fromEntries(
      Object.entries(signed).filter(([k]) => !(k in options.params)),
    );
    return {
      url: `${options.endpoint}/?${sortedQuery(query, true)}`,
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: sortedQuery(form, true),
      },
    };
  }
  return {
    url: `${options.endpoint}/?${sortedQuery(signed, true)}`,
    init: { method: options.method },
  };
}

export async function send(request: { url: string; init: RequestInit }) {
  const response = await fetch(request.url, request.init);
  return {
    status: response.status,
    requestIdHeader: response.headers.get('x-acs-request-id'),
    body: (await response.json()) as Record<string, unknown>,
  };
}
