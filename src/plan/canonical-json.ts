/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` members left out
 * (as JSON.stringify does). Two plans that mean the same thing serialise to the same bytes, so
 * their sha256 is the same whatever order the planner happened to build the objects in.
 *
 * Written as a stream of chunks that a hash can take one by one: a 1,000-server fleet plan is
 * 7 MB of it, hashed three times while a run starts, and building it as one string (with an
 * entries array, a sorted copy and a quoted key per object) made a hundred megabytes of garbage
 * each time, which the heap grew to hold.
 */
export function canonicalJson(value: unknown): string {
  return canonicalJsonChunks(value).join('');
}

/** The canonical JSON of `value` as consecutive chunks of a few tens of kilobytes. */
export function canonicalJsonChunks(value: unknown): string[] {
  const chunks: string[] = [];
  writeCanonicalJson(value, (chunk) => chunks.push(chunk));
  return chunks;
}

/**
 * The canonical JSON of `value`, handed to `sink` chunk by chunk as it is written (a hash
 * takes each and lets it go: the whole text never exists at once).
 */
export function writeCanonicalJson(value: unknown, sink: (chunk: string) => void): void {
  const out = new ChunkedText(sink);
  write(value, out);
  out.flush();
}

function write(value: unknown, out: ChunkedText): void {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    // JSON.stringify(undefined) is undefined; inside arrays JSON writes null.
    out.push(text === undefined ? 'null' : text);
    return;
  }
  if (Array.isArray(value)) {
    out.push('[');
    for (let index = 0; index < value.length; index++) {
      if (index > 0) out.push(',');
      write(value[index], out);
    }
    out.push(']');
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = sortedInPlace(Object.keys(record));
  out.push('{');
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined || typeof member === 'function') continue;
    out.push(first ? quotedKey(key) : quotedKeyAfterComma(key));
    first = false;
    write(member, out);
  }
  out.push('}');
}

/**
 * `keys` sorted by UTF-16 code unit (the order the canonical form is defined by), in place:
 * an object's few keys by insertion, which allocates nothing where Array.prototype.sort copies
 * the array into a work area first (a plan has hundreds of thousands of small objects).
 */
function sortedInPlace(keys: string[]): string[] {
  if (keys.length > 32) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * `"key":` and `,"key":`, made once per key: a plan repeats a few dozen keys hundreds of
 * thousands of times. Keys past the cap (maps keyed by user data) are quoted each time.
 */
const KEY_CACHE_LIMIT = 10_000;
const quoted = new Map<string, string>();
const quotedWithComma = new Map<string, string>();

function quotedKey(key: string): string {
  return cachedQuote(quoted, key, '');
}

function quotedKeyAfterComma(key: string): string {
  return cachedQuote(quotedWithComma, key, ',');
}

function cachedQuote(cache: Map<string, string>, key: string, before: string): string {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const text = `${before}${JSON.stringify(key)}:`;
  if (cache.size < KEY_CACHE_LIMIT) cache.set(key, text);
  return text;
}

/** Pieces joined a few thousand at a time, so neither the pieces nor partial copies pile up. */
class ChunkedText {
  private readonly pieces: string[] = [];

  constructor(private readonly sink: (chunk: string) => void) {}

  push(piece: string): void {
    this.pieces.push(piece);
    if (this.pieces.length >= 4096) this.flush();
  }

  flush(): void {
    if (this.pieces.length === 0) return;
    const chunk = this.pieces.join('');
    // Emptied, not replaced: the array keeps its room for the next few thousand pieces.
    this.pieces.length = 0;
    this.sink(chunk);
  }
}
