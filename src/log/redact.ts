/**
 * Secret redaction, by key and by value. Anything that leaves the process (logs, journal lines,
 * chat messages, JSON reports, command output) goes through `redact` first. Keys whose last word
 * says "secret" (secret-keys.ts) are masked wherever they sit; values that are known secrets
 * (registered at load time, whatever their length: known-secrets.ts says where each is masked)
 * or look like credentials (secret-patterns.ts: Authorization headers, bearer tokens, password
 * options, signed URLs) are masked wherever they appear, including inside free text.
 */

import { SecretValues } from './known-secrets.js';
import { isSecretKey } from './secret-keys.js';
import { maskSecretPatterns, REDACTED } from './secret-patterns.js';

export { isDistinctive } from './known-secrets.js';
export { isSecretKey, keyWords } from './secret-keys.js';
export { findSecretPatterns, REDACTED } from './secret-patterns.js';

const knownSecrets = new SecretValues();

/**
 * Remember a secret value so that it is masked wherever it appears later (in any key, in any
 * message). Call it as soon as a secret is read: credentials, webhook secrets, SSH passphrases.
 *
 * @example registerSecret(process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET)
 */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string') knownSecrets.add(value);
}

/** Environment variables whose values are secrets; registered by `registerSecretsFromEnv`. */
export const SECRET_ENV_VARS = [
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'ALIBABA_CLOUD_SECURITY_TOKEN',
  'ALICLOUD_ACCESS_KEY_SECRET',
  'DRAINCTL_SSH_PASSPHRASE',
  // chat-ops (serve registers them again when it reads them; here they are masked from the start)
  'DRAINCTL_SLACK_SIGNING_SECRET',
  'DRAINCTL_SLACK_BOT_TOKEN',
  'DRAINCTL_DINGTALK_APP_SECRET',
  'DRAINCTL_FEISHU_ENCRYPT_KEY',
  'DRAINCTL_FEISHU_VERIFICATION_TOKEN',
  'DRAINCTL_FEISHU_APP_SECRET',
  'DRAINCTL_WECOM_TOKEN',
  'DRAINCTL_WECOM_ENCODING_AES_KEY',
  'DRAINCTL_WECOM_SECRET',
] as const;

/**
 * A variable that is secret only by its name is one drainctl never reads: `FEATURE_TOKEN=1`
 * would mask every `1` in every output. Its value is masked from this length on; a value a
 * workflow uses is registered whatever its length when the workflow is loaded.
 */
const NAMED_SECRET_MIN_LENGTH = 6;

export function registerSecretsFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(env)) {
    if ((SECRET_ENV_VARS as readonly string[]).includes(name)) registerSecret(value);
    else if (isSecretKey(name) && (value?.trim().length ?? 0) >= NAMED_SECRET_MIN_LENGTH) {
      registerSecret(value);
    }
  }
}

/** Mask known secret values and secret-looking patterns inside a string. */
export function redactString(text: string): string {
  return maskSecretPatterns(knownSecrets.mask(text, REDACTED));
}

/**
 * Mask an identifier (an id, a state, an address, a time): only secrets that cannot be ordinary
 * text, and secret-looking patterns. A secret that is a plain word or a number is not masked in
 * an identifier that merely contains it (`i-web-1` for the secret `web`): the identifier is not
 * the secret, and what reads it back (a resumed run) needs it as it was.
 */
export function redactIdentifier(text: string): string {
  return maskSecretPatterns(knownSecrets.maskDistinctive(text, REDACTED));
}

/**
 * JSON text with every string in it (keys and values) masked as text, and nothing else touched:
 * a secret that is a number or `true` cannot break the document.
 */
export function redactJsonText(json: string): string {
  const mask = jsonLiteralMasker();
  return json.replace(/"(?:[^"\\]|\\.)*"/g, mask);
}

/**
 * Masks one JSON string literal (quotes included) and gives it back as a literal. A large
 * document (a fleet's plan) repeats its keys and many values thousands of times: each distinct
 * literal is masked once. The secrets known cannot change while one document is written.
 */
export function jsonLiteralMasker(): (literal: string) => string {
  const masked = new Map<string, string>();
  return (literal) => {
    let out = masked.get(literal);
    if (out === undefined) {
      out = JSON.stringify(redactString(JSON.parse(literal) as string));
      masked.set(literal, out);
    }
    return out;
  };
}

export interface RedactOptions {
  /** Keys whose values (at any depth below them) are identifiers: see `redactIdentifier`. */
  identifierKeys?: ReadonlySet<string>;
  /** Mask values under secret keys (default). Off for documents whose keys are a contract. */
  byKey?: boolean;
}

/**
 * Deep copy of `value` with secret keys masked and secret values removed from strings.
 * Errors are turned into plain objects (name, message, code, stack) so their text is masked too.
 */
export function redact<T>(value: T, options: RedactOptions = {}): T {
  const walk: Walk = {
    ...options,
    byKey: options.byKey ?? true,
    texts: new Map(),
    identifiers: new Map(),
    secretKeys: new Map(),
  };
  return redactInner(value, new Set(), walk, false) as T;
}

type Walk = RedactOptions & {
  byKey: boolean;
  /** Each distinct string masked once per call, as text and as an identifier. */
  texts: Map<string, string>;
  identifiers: Map<string, string>;
  secretKeys: Map<string, boolean>;
};

/**
 * `ancestors` holds the objects on the path from the root to `value`: only a real cycle is cut,
 * an object that merely appears twice (the same record in a plan and its report) is copied twice.
 */
function redactInner(
  value: unknown,
  ancestors: Set<object>,
  walk: Walk,
  identifier: boolean,
): unknown {
  if (typeof value === 'string') {
    const cache = identifier ? walk.identifiers : walk.texts;
    let masked = cache.get(value);
    if (masked === undefined) {
      masked = identifier ? redactIdentifier(value) : redactString(value);
      cache.set(value, masked);
    }
    return masked;
  }
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.has(value)) return '[Circular]';
  ancestors.add(value);
  try {
    return redactObject(value, ancestors, walk, identifier);
  } finally {
    ancestors.delete(value);
  }
}

function secretKey(key: string, walk: Walk): boolean {
  let secret = walk.secretKeys.get(key);
  if (secret === undefined) {
    secret = isSecretKey(key);
    walk.secretKeys.set(key, secret);
  }
  return secret;
}

function redactObject(value: object, seen: Set<object>, walk: Walk, identifier: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => redactInner(item, seen, walk, identifier));
  if (value instanceof Date) return value;
  if (value instanceof Error) {
    const plain: Record<string, unknown> = { type: value.name, message: value.message };
    for (const [key, inner] of Object.entries(value)) plain[key] = inner;
    if (value.stack) plain.stack = value.stack;
    if (value.cause !== undefined) plain.cause = value.cause;
    return redactInner(plain, seen, walk, identifier);
  }
  if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      walk.byKey && secretKey(key, walk) && inner !== undefined && inner !== null && inner !== ''
        ? REDACTED
        : redactInner(inner, seen, walk, identifier || walk.identifierKeys?.has(key) === true);
  }
  return out;
}
