/**
 * Secrets recognizable by their shape inside free text: a command line, a message, a URL.
 * Each pattern masks only the secret part and keeps what makes the text readable (the header
 * name, the flag, the URL without its credential). A value that is a shell reference (`$VAR`,
 * `${VAR}`) is not a secret and stays: `--password "$DB_PASSWORD"` is how it should be written.
 */
import { isSecretKey } from './secret-keys.js';

export const REDACTED = '[REDACTED]';

interface SecretPattern {
  /** What the pattern recognizes, for the plan-time warning about literal secrets. */
  kind: string;
  pattern: RegExp;
  /** The masked text of one match, or undefined to leave it (not a secret after all). */
  mask(match: string, ...groups: string[]): string | undefined;
}

/** A value as a shell or a header writes it: quoted, or up to a separator. */
const VALUE = `("[^"\\n]*"|'[^'\\n]*'|[^\\s'";&|,)]+)`;

const ACCESS_KEY_ID = /^(LTAI|STS\.)[A-Za-z0-9]+$/;

/** Masks a value but keeps its quotes, so a masked command still reads as a command. */
function maskValue(value: string): string | undefined {
  const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
  const inner = quote === '' ? value : value.slice(1, -1);
  if (inner === '' || inner.startsWith('$') || inner.includes(REDACTED)) return undefined;
  // An AccessKey ID (ACS3's `Credential=LTAI…`) names the key; logs keep it on purpose.
  if (ACCESS_KEY_ID.test(inner)) return undefined;
  return `${quote}${REDACTED}${quote}`;
}

/**
 * `Bearer`/`token` followed by a word is prose; followed by a credential-shaped one it is not.
 * A full stop at the end ends a sentence (`Bearer credentials.`): it does not make a credential.
 */
function looksLikeCredential(word: string): boolean {
  const token = word.replace(/\.+$/, '');
  if (token.length < 8 || token.startsWith('$') || token.includes(REDACTED)) return false;
  return (
    /[0-9._~+/=-]/.test(token) || /[a-z]/.test(token.slice(1)) === /[A-Z]/.test(token.slice(1))
  );
}

/**
 * `credentials: the emulator key pair` is a sentence, not a credential: after a colon and a
 * space, a plain word followed by more words is prose. `X-Api-Key: abc`, `password: hunter2`,
 * `token=abc def` and a quoted value are not.
 */
function isProse(separator: string, value: string, more: string): boolean {
  return /:[ \t]/.test(separator) && more !== '' && /^\p{L}+$/u.test(value);
}

/** Query parameters that carry secrets although their name alone would not say so. */
const SECRET_QUERY_NAMES = new Set(['key', 'access_token', 'accesstoken', 'code']);

const PATTERNS: readonly SecretPattern[] = [
  {
    kind: 'a private key',
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
    mask: () => `-----BEGIN PRIVATE KEY-----${REDACTED}-----END PRIVATE KEY-----`,
  },
  {
    // `Authorization: Bearer x`, `authorization=token x`, `Proxy-Authorization: Basic x`.
    kind: 'an Authorization header',
    pattern: /\b((?:proxy-)?authorization["']?\s*[:=]\s*)([A-Za-z][\w-]*\s+)?([^\s'",;]+)/gi,
    mask: (match, name = '', scheme = '', value = '') =>
      value.startsWith('$') || value.includes(REDACTED) ? match : `${name}${scheme}${REDACTED}`,
  },
  {
    kind: 'a Bearer/Basic credential',
    pattern: /\b(bearer|basic)(\s+)([A-Za-z0-9._~+/_-]+=*)/gi,
    mask: (_match, scheme = '', space = '', token = '') =>
      looksLikeCredential(token) ? `${scheme}${space}${REDACTED}` : undefined,
  },
  {
    // A credential-shaped word right after `token`, `password`, `secret` (not prose after them).
    kind: 'a credential after the word token, password or secret',
    pattern: /\b(token|password|passwd|passphrase|secret)(\s+)([A-Za-z0-9._~+/_-]+=*)/gi,
    mask: (_match, word = '', space = '', token = '') =>
      looksLikeCredential(token) ? `${word}${space}${REDACTED}` : undefined,
  },
  {
    // ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=…,Signature=hex
    kind: 'a request signature',
    pattern: /\b(Signature=)[0-9A-Za-z+/=%]+/g,
    mask: (_match, name = '') => `${name}${REDACTED}`,
  },
  {
    kind: 'a password in a URL',
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@'"]+:)([^\s/@'"]+)@/gi,
    mask: (match, head = '', password = '') =>
      password.startsWith('$') ? match : `${head}${REDACTED}@`,
  },
  {
    // Only the value of a secret parameter: the URL stays readable.
    kind: 'a secret URL parameter',
    pattern: /([?&;])([A-Za-z0-9_.-]+)=([^&\s"'#]+)/g,
    mask: (_match, sep = '', name = '', value = '') =>
      (isSecretKey(name) || SECRET_QUERY_NAMES.has(name.toLowerCase())) && !value.startsWith('$')
        ? `${sep}${name}=${REDACTED}`
        : undefined,
  },
  {
    kind: 'a webhook URL token',
    pattern:
      /(hooks\.slack\.com\/services\/|open-apis\/bot\/v2\/hook\/|discord(?:app)?\.com\/api\/webhooks\/\d+\/)[^\s"'?]+/gi,
    mask: (_match, head = '') => `${head}${REDACTED}`,
  },
  {
    // `password=x`, `export DB_PASSWORD=x`, `X-Api-Key: x`, `"token": "x"`; the last group is
    // what follows the value when it is more words.
    kind: 'a value given to a secret name (a password, token, secret or api key variable or header)',
    pattern: new RegExp(
      `(?<![\\w$.-])(["']?)([A-Za-z_][\\w-]*)\\1([ \\t]*[:=][ \\t]*)${VALUE}(?=([ \\t]+\\w)?)`,
      'g',
    ),
    mask: (match, quote = '', name = '', sep = '', value = '', more = '') => {
      if (!isSecretKey(name) || /authorization/i.test(name)) return undefined;
      if (isProse(sep, value, more)) return undefined;
      const masked = maskValue(value);
      return masked === undefined ? match : `${quote}${name}${quote}${sep}${masked}`;
    },
  },
  {
    // `--password x`, `--password=x`, `--access-key-secret x`; not `--password-file x`.
    kind: 'a command-line option such as --password',
    pattern: new RegExp(`(?<![\\w-])(--?[A-Za-z][\\w-]*)(=|[ \\t]+)${VALUE}`, 'g'),
    mask: (match, flag = '', sep = '', value = '') => {
      if (!isSecretKey(flag) || value.startsWith('-')) return undefined;
      const masked = maskValue(value);
      return masked === undefined ? match : `${flag}${sep}${masked}`;
    },
  },
  {
    // mysql's `-pSECRET` (with a space, `-p` prompts and the next word is a database).
    kind: 'a MySQL -p password',
    pattern: /\b(mysql|mysqldump|mysqladmin|mariadb|mysqlsh)\b([^;&|\n]*?[ \t])-p([^\s'";&|]+)/g,
    mask: (match, tool = '', middle = '', value = '') =>
      value.startsWith('$') || value.includes(REDACTED) ? match : `${tool}${middle}-p${REDACTED}`,
  },
  {
    kind: 'an sshpass -p password',
    pattern: /\b(sshpass[ \t]+-p[ \t]*)([^\s'";&|]+)/g,
    mask: (match, head = '', value = '') =>
      value.startsWith('$') || value.includes(REDACTED) ? match : `${head}${REDACTED}`,
  },
  {
    // curl/wget `-u user:password`, `--user user:password`.
    kind: 'a user:password option',
    pattern: /((?:^|[ \t])(?:-u|--user|--proxy-user)[ \t=]+["']?[^\s:'"]+:)([^\s'"]+)/g,
    mask: (match, head = '', value = '') =>
      value.startsWith('$') || value.includes(REDACTED) ? match : `${head}${REDACTED}`,
  },
  {
    kind: 'a well-known token (GitHub, Slack)',
    pattern: /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{20,}|xox[abprs]-[A-Za-z0-9-]{10,})\b/g,
    mask: () => REDACTED,
  },
  {
    // An Alibaba Cloud AccessKey secret: 30 letters and digits, mixed case. Ids have a prefix
    // and a dash (i-…, lb-…), request ids are hex with dashes: neither has this shape.
    kind: 'an AccessKey secret',
    pattern: /(?<![\w/+=-])[A-Za-z0-9]{30}(?![\w/+=-])/g,
    mask: (match) =>
      /[a-z]/.test(match) && /[A-Z]/.test(match) && /[0-9]/.test(match) ? REDACTED : undefined,
  },
];

function applyPatterns(text: string, found?: Set<string>): string {
  let out = text;
  for (const { kind, pattern, mask } of PATTERNS) {
    out = out.replace(pattern, (match: string, ...rest: unknown[]) => {
      // A replacer gets the groups (undefined when they did not take part), then the offset.
      const end = rest.findIndex((arg) => typeof arg === 'number');
      const groups = rest.slice(0, end).map((group) => (typeof group === 'string' ? group : ''));
      const masked = mask(match, ...groups);
      if (masked === undefined || masked === match) return match;
      found?.add(kind);
      return masked;
    });
  }
  return out;
}

/** Mask every secret-shaped value in a text. */
export function maskSecretPatterns(text: string): string {
  return applyPatterns(text);
}

/**
 * The kinds of secret-shaped values a text holds (empty: none), e.g. to warn that a workflow
 * writes a password literally where it should reference the environment.
 *
 * @example findSecretPatterns("mysql -uroot -pS3cret") // ['a MySQL -p password']
 */
export function findSecretPatterns(text: string): string[] {
  const found = new Set<string>();
  applyPatterns(text, found);
  return [...found];
}
