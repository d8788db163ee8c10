/**
 * Secret redaction, by key and by value. Anything that leaves the process (logs, journal lines,
 * chat messages, JSON reports) goes through `redact` first. Keys whose name says "secret" are
 * masked wherever they sit; values that are known secrets (registered at load time) or look like
 * credentials (Authorization headers, bearer tokens, signed URLs) are masked wherever they appear,
 * including inside free text.
 */

export const REDACTED = '[REDACTED]';

/** Key names whose values are always secret, matched case-insensitively on the whole key. */
const SECRET_KEY =
  /(secret|password|passwd|passphrase|token|authorization|signature|private[-_]?key|credential|cookie|api[-_]?key|access[-_]?key[-_]?secret|webhook[-_]?url)/i;

/** Key names that contain a secret-looking word but are identifiers, not secrets. */
const NOT_SECRET_KEY =
  /^(access[-_]?key[-_]?id|accesskeyid|tokenizer|client[-_]?token|x-acs-signature-nonce|signature[-_]?(method|version|nonce|algorithm))$|(path|file|fingerprint)$/i;

/** Patterns of secrets inside free text. Each keeps a readable prefix and masks the rest. */
const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=…,Signature=hex
  [/(Signature=)[0-9A-Za-z+/=%]+/g, `$1${REDACTED}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  // Query parameters that carry secrets in webhook and signed URLs.
  [
    /([?&](?:access_token|token|sign|signature|secret|key|SecurityToken|AccessKeySecret)=)[^&\s"']+/gi,
    `$1${REDACTED}`,
  ],
  // PEM private keys.
  [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
    `-----BEGIN PRIVATE KEY-----${REDACTED}-----END PRIVATE KEY-----`,
  ],
  // Slack/DingTalk/Feishu style secret path segments in webhook URLs.
  [/(hooks\.slack\.com\/services\/)[^\s"']+/gi, `$1${REDACTED}`],
  [/(open-apis\/bot\/v2\/hook\/)[^\s"']+/gi, `$1${REDACTED}`],
];

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

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !NOT_SECRET_KEY.test(key);
}

/** Mask known secret values and secret-looking patterns inside a string. */
export function redactString(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of SECRET_PATTERNS) {
    out = out.replace(pattern, replacement);
  }
  return out;
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
