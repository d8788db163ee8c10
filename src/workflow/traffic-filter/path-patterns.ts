/**
 * `ignorePaths` entries and what they match, for the request classifier and for the check that
 * a filter leaves traffic to count: an exact path, or — with a trailing `*` — every path that
 * starts with the text before it. The request's path is its URI up to the first `?`, compared
 * byte for byte (UTF-8), as logged.
 */

export interface PathPattern {
  /** The pattern without its trailing `*`. */
  text: string;
  prefix: boolean;
}

export function parsePathPattern(pattern: string): PathPattern {
  return pattern.endsWith('*')
    ? { text: pattern.slice(0, -1), prefix: true }
    : { text: pattern, prefix: false };
}

/**
 * Bytes a logged path may hold after its leading `/`, most readable first: printable ASCII but
 * the space (it ends the URI in `$request`), `?` (it starts the query) and `"`. nginx writes
 * other bytes as `\xHH` and clients percent-encode them, so a logged path starts with one of
 * these. (Raw UTF-8 in a JSON log is left out: a filter that leaves only such paths counted is
 * refused, which errs on the safe side.)
 */
const PATH_BYTES: readonly number[] = (() => {
  const preferred = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = [...preferred].map((c) => c.charCodeAt(0));
  for (let b = 0x21; b <= 0x7e; b++) {
    if (b === 0x22 || b === 0x3f || bytes.includes(b)) continue;
    bytes.push(b);
  }
  return bytes;
})();

/** Whether `byte` may follow the leading `/` of a logged path. */
export function isPathByte(byte: number): boolean {
  return PATH_BYTES.includes(byte);
}

/**
 * A path (printable ASCII) that none of `patterns` matches, or undefined when
 * together they match every path. Searches the patterns' own prefixes only: any step off them
 * is a path nothing matches.
 */
export function pathNoPatternMatches(patterns: readonly string[]): string | undefined {
  const parsed = patterns.map((pattern) => {
    const { text, prefix } = parsePathPattern(pattern);
    return { bytes: utf8Bytes(text), prefix };
  });
  const prefixes = parsed.filter((p) => p.prefix).map((p) => p.bytes);
  const exact = new Set(parsed.filter((p) => !p.prefix).map((p) => p.bytes));
  const all = parsed.map((p) => p.bytes);
  const search = (path: string): string | undefined => {
    if (prefixes.some((prefix) => path.startsWith(prefix))) return undefined;
    if (!exact.has(path)) return path;
    for (const byte of PATH_BYTES) {
      const next = path + String.fromCharCode(byte);
      if (!all.some((pattern) => pattern.startsWith(next))) return next;
      const found = search(next);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return search('/');
}

/** A string's UTF-8 bytes as a string of one character per byte. */
export function utf8Bytes(text: string): string {
  let bytes = '';
  for (const byte of new TextEncoder().encode(text)) bytes += String.fromCharCode(byte);
  return bytes;
}
