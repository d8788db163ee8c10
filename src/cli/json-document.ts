/**
 * A `--json` document written in pieces, as `JSON.stringify(value, null, 2)` would write it,
 * byte for byte, with every string literal (keys and values) passed through `literal` on the
 * way. A fleet's plan is an 11 MB document: built as one string, then masked into a second, it
 * was most of `plan --json`'s peak memory.
 */
export function writeJsonDocument(
  value: unknown,
  write: (chunk: string) => void,
  literal: (quoted: string) => string = (quoted) => quoted,
): void {
  const out = new ChunkedWriter(write);
  const text = new JsonPieces(out, literal);
  if (!text.value(value, '', '')) throw new TypeError('nothing to write: the document is not JSON');
  out.flush();
}

/** Pieces gathered into chunks of about 64 KiB before they are written. */
class ChunkedWriter {
  private pieces: string[] = [];
  private size = 0;

  constructor(private readonly write: (chunk: string) => void) {}

  push(piece: string): void {
    this.pieces.push(piece);
    this.size += piece.length;
    if (this.size >= 65_536) this.flush();
  }

  flush(): void {
    if (this.pieces.length === 0) return;
    const chunk = this.pieces.join('');
    this.pieces = [];
    this.size = 0;
    this.write(chunk);
  }
}

class JsonPieces {
  /** The containers being written, to refuse a cycle as JSON.stringify does. */
  private readonly open = new Set<object>();

  constructor(
    private readonly out: ChunkedWriter,
    private readonly literal: (quoted: string) => string,
  ) {}

  /** Writes `raw` (under `key` of its parent); false when JSON leaves it out (undefined, a function). */
  value(raw: unknown, key: string, indent: string): boolean {
    return this.form(jsonForm(raw, key), indent);
  }

  /** Writes a value already in its JSON form (see jsonForm). */
  private form(value: unknown, indent: string): boolean {
    switch (typeof value) {
      case 'string':
        this.out.push(this.literal(JSON.stringify(value)));
        return true;
      case 'number':
        this.out.push(Number.isFinite(value) ? JSON.stringify(value) : 'null');
        return true;
      case 'boolean':
        this.out.push(value ? 'true' : 'false');
        return true;
      case 'bigint':
        throw new TypeError('Do not know how to serialize a BigInt');
      case 'object':
        if (value === null) {
          this.out.push('null');
          return true;
        }
        if (this.open.has(value)) throw new TypeError('Converting circular structure to JSON');
        this.open.add(value);
        if (Array.isArray(value)) this.array(value, indent);
        else this.object(value as Record<string, unknown>, indent);
        this.open.delete(value);
        return true;
      default:
        return false;
    }
  }

  private array(items: unknown[], indent: string): void {
    if (items.length === 0) {
      this.out.push('[]');
      return;
    }
    const inner = `${indent}  `;
    this.out.push('[');
    for (let index = 0; index < items.length; index++) {
      this.out.push(index === 0 ? `\n${inner}` : `,\n${inner}`);
      if (!this.value(items[index], String(index), inner)) this.out.push('null');
    }
    this.out.push(`\n${indent}]`);
  }

  private object(record: Record<string, unknown>, indent: string): void {
    const inner = `${indent}  `;
    let written = 0;
    for (const key of Object.keys(record)) {
      const member = jsonForm(record[key], key);
      if (member === undefined || typeof member === 'function' || typeof member === 'symbol') {
        continue;
      }
      this.out.push(written === 0 ? `{\n${inner}` : `,\n${inner}`);
      this.out.push(`${this.literal(JSON.stringify(key))}: `);
      // Already in its JSON form: JSON.stringify calls toJSON once, not again on what it returns.
      this.form(member, inner);
      written++;
    }
    this.out.push(written === 0 ? '{}' : `\n${indent}}`);
  }
}

/** What JSON.stringify writes for `value` under `key`: its toJSON(), boxed primitives unboxed. */
function jsonForm(value: unknown, key: string): unknown {
  let form = value;
  if (form !== null && typeof form === 'object' && 'toJSON' in form) {
    const toJSON = (form as { toJSON: unknown }).toJSON;
    if (typeof toJSON === 'function') form = toJSON.call(form, key);
  }
  if (form instanceof Number || form instanceof String || form instanceof Boolean) {
    return form.valueOf();
  }
  return form;
}
