/**
 * Secret redaction, by key and by value. Anything that leaves the process (logs, journal lines,
 * chat messages, JSON reports, command output) goes through `redact` first. Keys whose last word
 * says "secret" (secret-keys.ts) are masked wherever they sit; values that are known secrets
 * (registered at load time) or look like credentials (secret-patterns.ts: Authorization headers,
 * bearer tokens, password options, signed URLs) are masked wherever they appear, including
 * inside free text.
 */

import { isSecretKey } from './secret-keys.js';
import { maskSecretPatterns, REDACTED } from './secret-patterns.js';

export { isSecretKey, keyWords } from './secret-keys.js';
export { findSecretPatterns, REDACTED } from './secret-patterns.js';

/** Values shorter than this are not registered: masking "1" everywhere would destroy logs. */
const MIN_SECRET_LENGTH = 6;

const knownSecrets = new Set<string>();

/**
 * Remember a secret value so that it is masked wherever it appears later (in any key, in any
 * message). Call it as soon as a secret is read: credentials, webhook secrets, SSH passphrases.
 *
 * @example registerSecret(process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET)
 */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string') return;
  const trimmed = value.trim();
  if (trimmed.length >= MIN_SECRET_LENGTH) knownSecrets.add(trimmed);
}

/** Environment variables whose values are secrets; registered by `registerSecretsFromEnv`. */
export const SECRET_ENV_VARS = [
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'ALIBABA_CLOUD_SECURITY_TOKEN',
  'ALICLOUD_ACCESS_KEY_SECRET',
  'DRAINCTL_CHATOPS_SECRET',
  'DRAINCTL_WEBHOOK_SECRET',
  'DRAINCTL_SSH_PASSPHRASE',
] as const;

export function registerSecretsFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of Object.keys(env)) {
    if ((SECRET_ENV_VARS as readonly string[]).includes(name) || isSecretKey(name)) {
      registerSecret(env[name]);
    }
  }
}

/** Mask known secret values and secret-looking patterns inside a string. */
export function redactString(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return maskSecretPatterns(out);
}

/**
 * Deep copy of `value` with secret keys masked and secret values removed from strings.
 * Errors are turned into plain objects (name, message, code, stack) so their text is masked too.
 */
export function redact<T>(value: T): T {
  return redactInner(value, new Set()) as T;
}

/**
 * `ancestors` holds the objects on the path from the root to `value`: only a real cycle is cut,
 * an object that merely appears twice (the same record in a plan and its report) is copied twice.
 */
function redactInner(value: unknown, ancestors: Set<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.has(value)) return '[Circular]';
  ancestors.add(value);
  try {
    return redactObject(value, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function redactObject(value: object, seen: Set<object>): unknown {
  if (Array.isArray(value)) return value.map((item) => redactInner(item, seen));
  if (value instanceof Date) return value;
  if (value instanceof Error) {
    const plain: Record<string, unknown> = { type: value.name, message: value.message };
    for (const [key, inner] of Object.entries(value)) plain[key] = inner;
    if (value.stack) plain.stack = value.stack;
    if (value.cause !== undefined) plain.cause = value.cause;
    return redactInner(plain, seen);
  }
  if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      isSecretKey(key) && inner !== undefined && inner !== null && inner !== ''
        ? REDACTED
        : redactInner(inner, seen);
  }
  return out;
}
