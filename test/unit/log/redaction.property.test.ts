/**
 * Properties of value redaction: a registered secret, whatever its length and characters, never
 * stands on its own in redacted text (a distinctive one never appears at all), and text that
 * holds no secret — prose with the words that name secrets in it — comes out unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDistinctive, REDACTED, redactString, registerSecret } from '#src/log/index.js';
import { SecretValues } from '#src/log/known-secrets.js';
import { maskSecretPatterns } from '#src/log/secret-patterns.js';

const WORD = /[\p{L}\p{N}_]/u;

/** Whether `secret` occurs in `text` with no letter, digit or `_` glued to either side. */
function standsAlone(text: string, secret: string): boolean {
  for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + 1)) {
    const before = text[at - 1];
    const after = text[at + secret.length];
    if ((before === undefined || !WORD.test(before)) && (after === undefined || !WORD.test(after)))
      return true;
  }
  return false;
}

const secretChars = fc.constantFrom(
  ...'abcxyzABQ019_-.@!#%+=/:,;"\'()[]{}|\\$^*?'.split(''),
  ' ',
  'é',
);
const secretArb = fc
  .string({ unit: secretChars, minLength: 1, maxLength: 16 })
  .map((s) => s.trim())
  // The mask itself cannot count as the secret standing on its own.
  .filter((s) => s !== '' && !standsAlone(REDACTED, s));

const separator = fc.constantFrom(
  ' ',
  '\n',
  '=',
  ': ',
  ', ',
  '"',
  "'",
  '(',
  ')',
  '/',
  '\t',
  '--password ',
);
const filler = fc.string({ unit: fc.constantFrom(...'abcxyz0129-_.:'.split('')), maxLength: 8 });

describe('a registered secret never survives redaction', () => {
  it('in any text that uses it, alone or glued to other characters', () => {
    fc.assert(
      fc.property(
        fc.array(secretArb, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(5), filler, separator), { minLength: 1, maxLength: 12 }),
        (secrets, pieces) => {
          for (const secret of secrets) registerSecret(secret);
          const text = pieces
            .map(([kind, word, sep]) => {
              const secret = secrets[kind % secrets.length] ?? '';
              if (kind === 0) return `${word}${sep}`;
              if (kind === 4) return `${word}${secret}${sep}`;
              if (kind === 5) return `${secret}${word}${sep}`;
              return `${secret}${sep}`;
            })
            .join('');
          const out = redactString(text);
          // A value glued to another secret (`a?` for `a` and `?`) stays glued to its mask.
          const glued = out.replaceAll(REDACTED, 'R');
          for (const secret of secrets) {
            expect(standsAlone(glued, secret), `${JSON.stringify(secret)} in ${out}`).toBe(false);
            if (isDistinctive(secret)) expect(out).not.toContain(secret);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** Prose with the words that name secrets (`credentials: the key pair`), and identifiers. */
const proseWord = fc.constantFrom(
  'credentials',
  'token',
  'password',
  'secret',
  'passphrase',
  'key',
  'the',
  'a',
  'emulator',
  'pair',
  'expired',
  'Bearer',
  'basic',
  'node',
  'drained',
  'weight',
  'kernels',
  'Patched',
);
const proseSeparator = fc.constantFrom(' ', ', ', '; ', ': ');

describe('text without a secret is unchanged', () => {
  it('by the registered values (which it does not contain) and by the secret shapes', () => {
    fc.assert(
      fc.property(
        fc.array(secretArb, { maxLength: 4 }),
        fc.array(fc.tuple(proseWord, proseSeparator), { minLength: 1, maxLength: 14 }),
        (secrets, words) => {
          // A colon introduces a value unless more words follow it: keep the sentence going.
          let text = '';
          let afterColon = false;
          words.forEach(([word, sep], index) => {
            const last = index === words.length - 1;
            const next = last ? '.' : afterColon || index >= words.length - 2 ? ' ' : sep;
            afterColon = next === ': ';
            text += `${word}${next}`;
          });
          fc.pre(
            secrets.every((s) => (isDistinctive(s) ? !text.includes(s) : !standsAlone(text, s))),
          );
          const values = new SecretValues();
          for (const secret of secrets) values.add(secret);
          expect(values.mask(text, REDACTED)).toBe(text);
          expect(maskSecretPatterns(text)).toBe(text);
        },
      ),
      { numRuns: 200 },
    );
  });
});
