/**
 * ACS3-HMAC-SHA256 (docs/aliyun.md, "Verifying a signature"), computed the way the server must:
 * from the decoded request, never from the raw URL. Pure functions; verify-signature.ts decides
 * what to reject.
 */
import { createHash, createHmac } from 'node:crypto';
import { percentEncode, sortPairs } from './percent-encode.js';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

export interface Acs3Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex`; undefined if malformed. */
export function parseAcs3Authorization(header: string): Acs3Authorization | undefined {
  if (!header.startsWith(`${ACS3_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(ACS3_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) return undefined;
  return { accessKeyId, signedHeaders: signedHeaders.split(';'), signature };
}

export interface Acs3Input {
  method: string;
  path: string;
  query: [string, string][];
  headers: Readonly<Record<string, string | string[] | undefined>>;
  signedHeaders: string[];
  body: Buffer;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function canonicalUri(path: string): string {
  return path
    .split('/')
    .map((segment) => percentEncode(safeDecode(segment)))
    .join('/');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function headerValue(value: string | string[] | undefined): string {
  if (Array.isArray(value)) return value.join(',').trim();
  return (value ?? '').trim();
}

export function canonicalRequest(input: Acs3Input): string {
  const query = sortPairs(input.query)
    .map(([key, value]) => `${key}=${percentEncode(value)}`)
    .join('&');
  const names = input.signedHeaders.map((name) => name.toLowerCase()).sort();
  const headers = names.map((name) => `${name}:${headerValue(input.headers[name])}\n`).join('');
  return [
    input.method.toUpperCase(),
    canonicalUri(input.path || '/'),
    query,
    headers,
    names.join(';'),
    sha256Hex(input.body),
  ].join('\n');
}

export function acs3StringToSign(input: Acs3Input): string {
  return `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest(input))}`;
}

export function acs3Signature(stringToSign: string, secret: string): string {
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}
