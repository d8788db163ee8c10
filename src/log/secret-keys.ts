/**
 * Which key names hold secrets. A key is read as words (`dbPassword`, `DB_PASSWORD`,
 * `x-api-key` → `db password`, `db password`, `x api key`) and is secret when its LAST word says
 * so: `password`, `authToken`, `accessKeySecret`, `X-Api-Key`. A key that merely contains such
 * a word and names something else — `passwordPolicy`, `secretName`, `tokens`, `tokenizer`,
 * `cookieDomain`, `privateKeyPath`, `signatureVersion` — is not masked: over-masking makes logs
 * useless, and a log nobody can read is a log nobody reads.
 */

/** A last word that makes a key secret. */
const SECRET_WORDS = new Set([
  'secret',
  'secrets',
  'password',
  'passwords',
  'passwd',
  'pass',
  'passphrase',
  'token',
  'authorization',
  'signature',
  'sign',
  'sig',
  'credential',
  'credentials',
  'cookie',
  'cookies',
]);

/** A last word that is secret only in some compounds: `pwd` alone is the working directory. */
const SECRET_IN_COMPOUND = new Set(['pwd']);

/** A key ending in `key` is secret after one of these words (`apiKey`, `secret_access_key`). */
const KEY_QUALIFIERS = new Set([
  'api',
  'private',
  'secret',
  'auth',
  'signing',
  'encryption',
  'master',
  'session',
]);

/** A key ending in `url` is secret after one of these (`webhookUrl`): the URL is the credential. */
const URL_QUALIFIERS = new Set(['webhook', 'hook']);

/**
 * One word written without separators (`PGPASSWORD`, `apikey`, `accesskeysecret`) is secret
 * when it ends in one of these; short words are matched whole only (`bypass` is not `pass`).
 */
const SECRET_SUFFIX = /(password|passwd|passphrase|secret|token|apikey|privatekey)$/;

/** Identifiers that follow the rule's form but are not secrets. */
const NOT_SECRET = new Set(['client token', 'clienttoken']);

/** The words of a key: camelCase, snake_case, kebab-case and dotted names, lower-cased. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
}

/**
 * Whether values under this key are secrets.
 *
 * @example isSecretKey('DB_PASSWORD') // true; isSecretKey('passwordPolicy') // false
 */
export function isSecretKey(key: string): boolean {
  const words = keyWords(key);
  const last = words.at(-1);
  if (last === undefined || NOT_SECRET.has(words.join(' '))) return false;
  if (SECRET_WORDS.has(last)) return true;
  if (SECRET_IN_COMPOUND.has(last) && words.length > 1) return true;
  if (last === 'key') return words.slice(0, -1).some((word) => KEY_QUALIFIERS.has(word));
  if (last === 'url') return words.slice(0, -1).some((word) => URL_QUALIFIERS.has(word));
  return words.length === 1 && SECRET_SUFFIX.test(last);
}
