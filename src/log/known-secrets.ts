/**
 * Masking secret values drainctl has been told about, whatever their length. A value that cannot
 * be ordinary text — six characters or more, with a letter and something other than letters — is
 * masked wherever it appears, even glued inside a longer word. Any other value (a short one, a
 * plain word, a number: `abc`, `kernel`, `4711`) is masked where it stands on its own: not where
 * it is only part of a longer word (`abcdef`, `kernels`, `14711`), which is not the secret.
 * Pure: no I/O.
 */

/** A character that glues onto a value: letters, digits and `_` (shell and code identifiers). */
const WORD_CHAR = /[\p{L}\p{N}_]/u;
const NOT_GLUED_BEFORE = '(?<![\\p{L}\\p{N}_])';
const NOT_GLUED_AFTER = '(?![\\p{L}\\p{N}_])';

/** Shorter values, and plain words and numbers, could be ordinary text. */
const DISTINCTIVE_LENGTH = 6;

/**
 * Whether a value cannot be mistaken for a piece of ordinary text, and so is masked even inside
 * a longer word.
 *
 * @example isDistinctive('S3cret') // true; isDistinctive('kernel'), isDistinctive('4711') // false
 */
export function isDistinctive(value: string): boolean {
  return value.length >= DISTINCTIVE_LENGTH && /\p{L}/u.test(value) && /[^\p{L}]/u.test(value);
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && WORD_CHAR.test(char);
}

/**
 * The whole word around `text[start, end)`: the span extended over the letters and digits glued
 * to it on either side (`-p${PASS}` glues `p` to the password).
 */
export function wordAround(text: string, start: number, end: number): string {
  let from = start;
  let to = end;
  while (from > 0 && isWordChar(text[from - 1])) from -= 1;
  while (to < text.length && isWordChar(text[to])) to += 1;
  return text.slice(from, to);
}

/** Characters that mean something in a regular expression (with the `u` flag). */
const SPECIAL = /[\\^$.*+?()[\]{}|/]/g;

function literal(value: string): string {
  return value.replace(SPECIAL, '\\$&');
}

/** A set of secret values, and the expression that finds those a text holds (longest first). */
export class SecretValues {
  /** Longest first, so that a value containing another is masked whole. */
  private values: string[] = [];

  /** Add a value (trimmed; an empty one is nothing to mask). */
  add(value: string): void {
    const trimmed = value.trim();
    if (trimmed === '' || this.values.includes(trimmed)) return;
    this.values = [...this.values, trimmed].sort((a, b) => b.length - a.length);
  }

  /** `text` with every secret value masked. */
  mask(text: string, replacement: string): string {
    return maskValues(text, this.values, replacement);
  }

  /**
   * `text` with only the values that cannot be ordinary text masked: for identifiers (an id, a
   * state, an address) that a secret which is a plain word or a number may merely resemble.
   */
  maskDistinctive(text: string, replacement: string): string {
    return maskValues(text, this.values.filter(isDistinctive), replacement);
  }
}

function maskValues(text: string, values: readonly string[], replacement: string): string {
  // Most texts hold no secret at all: only the values a text contains make the expression.
  const present = values.filter((value) => text.includes(value));
  if (present.length === 0) return text;
  const alternatives = present.map((value) =>
    isDistinctive(value)
      ? literal(value)
      : `${NOT_GLUED_BEFORE}${literal(value)}${NOT_GLUED_AFTER}`,
  );
  return text.replace(new RegExp(alternatives.join('|'), 'gu'), replacement);
}
