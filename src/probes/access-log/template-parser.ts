/**
 * A compiled nginx `log_format`: a parser that walks a line once, left to right, finding each
 * variable's end by the literal text that follows it. No regular expression, no backtracking,
 * no allocation per line. A free-text variable that is not quoted (an unquoted `$request` or
 * `$http_user_agent`) could contain the text that follows it, so from the first such variable
 * on the line is matched from its end, right to left, and that variable takes what lies between.
 */
import {
  type Escape,
  type FormatLocation,
  type FormatToken,
  formatError,
  type LogFormatSpec,
} from './log-format.js';
import { Field, type FieldId, type LineParser, type ParsedLine } from './parsed-line.js';

/** Variables whose value never contains a space (addresses, numbers, tokens). */
const NO_SPACE = new Set([
  'remote_addr',
  // An HTTP basic-auth user with a space would fail to parse and count as real traffic: safe.
  'remote_user',
  'realip_remote_addr',
  'proxy_protocol_addr',
  'proxy_protocol_port',
  'remote_port',
  'server_addr',
  'server_port',
  'status',
  'body_bytes_sent',
  'bytes_sent',
  'request_length',
  'request_time',
  'msec',
  'pipe',
  'connection',
  'connection_requests',
  'time_iso8601',
  'request_method',
  'request_uri',
  'scheme',
  'server_protocol',
  'host',
  'hostname',
  'server_name',
  'request_id',
  'args',
  'query_string',
  'gzip_ratio',
]);

/**
 * Values with a fixed number of spaces: `$time_local` (`21/Nov/2026:02:00:01 +0800`) and
 * `$request` (`GET /path HTTP/1.1`; nginx refuses request lines with more). Unquoted, they are
 * split by skipping those spaces first. A malformed request line then fails to parse, which
 * counts it as real traffic: safe.
 */
const KNOWN_SPACES: Record<string, number> = { time_local: 1, request: 2 };

/** `21/Nov/2026:02:00:01 +0800`, `2026-11-21T02:00:01+08:00`: checked first, scanned if not. */
const FIXED_WIDTH: Record<string, number> = { time_local: 26, time_iso8601: 25 };

/** Bytes that end a no-space value when they start the following literal. */
const NO_SPACE_DELIMITERS = new Set([' ', '\t', '"', "'", '[', ']', '|', ',', ';', '}']);

const EMPTY = new Uint8Array(0);

const FIELD_OF: Partial<Record<string, FieldId>> = {
  remote_addr: Field.address,
  http_x_forwarded_for: Field.forwardedFor,
  proxy_add_x_forwarded_for: Field.forwardedFor,
  request: Field.request,
  request_method: Field.method,
  request_uri: Field.uri,
  status: Field.status,
  http_user_agent: Field.userAgent,
  request_time: Field.requestTime,
};
/** Used for the address only when `$remote_addr` is not in the format. */
const ADDRESS_FALLBACKS = ['realip_remote_addr', 'proxy_protocol_addr'];

interface Slot {
  /** Literal bytes, or null for a variable. */
  literal: Buffer | null;
  field: number;
  /** Spaces the value itself contains before its delimiter ($time_local has one). */
  skipSpaces: number;
  /** The usual width of the value (0: none), checked before scanning. */
  width: number;
  /** The literal that ends this variable: a quote, under escape=json, may be escaped inside. */
  quoted: boolean;
}

/**
 * Compile a parsed format into a line parser. Throws InvalidInputError naming `where` for
 * formats it cannot split.
 */
export function compileTemplate(
  spec: LogFormatSpec,
  description: string,
  needs?: ReadonlySet<FieldId>,
  where: FormatLocation = { path: 'format' },
): LineParser {
  const names = new Set(spec.tokens.flatMap((t) => (t.kind === 'variable' ? [t.name] : [])));
  const fieldOf = (name: string): number => {
    const known = FIELD_OF[name];
    if (known !== undefined) return known;
    if (name === 'uri' && !names.has('request_uri')) return Field.uri;
    if (!names.has('remote_addr') && ADDRESS_FALLBACKS.find((n) => names.has(n)) === name) {
      return Field.address;
    }
    return -1;
  };
  const slots: Slot[] = spec.tokens.map((token) =>
    token.kind === 'literal'
      ? {
          literal: Buffer.from(token.text, 'utf8'),
          field: -1,
          skipSpaces: 0,
          width: 0,
          quoted: false,
        }
      : {
          literal: null,
          field: fieldOf(token.name),
          skipSpaces: 0,
          width: FIXED_WIDTH[token.name] ?? 0,
          quoted: false,
        },
  );
  let ambiguous = -1;
  spec.tokens.forEach((token, index) => {
    if (token.kind !== 'variable') return;
    const next = spec.tokens[index + 1];
    if (next?.kind === 'variable') {
      throw formatError(
        where,
        'text (a space, a quote) between every two variables',
        `$${token.name}$${next.name}: $${token.name} and $${next.name} side by side, so no parser can tell where one ends`,
      );
    }
    const slot = slots[index];
    if (slot === undefined) return;
    slot.quoted = next?.text.startsWith('"') === true && spec.escaping !== 'none';
    if (!slot.quoted) slot.skipSpaces = KNOWN_SPACES[token.name] ?? 0;
    if (ambiguous < 0 && next !== undefined && !delimited(token.name, next, spec.escaping)) {
      ambiguous = index;
    }
  });
  const provides = new Set(slots.flatMap((s) => (s.field >= 0 ? [s.field as FieldId] : [])));
  if (needs !== undefined) {
    for (const slot of slots) if (!needs.has(slot.field as FieldId)) slot.field = -1;
  }
  // Stop the left-to-right walk once every field the decision needs is captured.
  const lastUseful = slots.reduce((last, s, i) => (s.field >= 0 ? i : last), -1);
  return new TemplateParser(slots, ambiguous, lastUseful, spec.escaping, description, provides);
}

function delimited(
  name: string,
  next: FormatToken & { kind: 'literal' },
  escaping: Escape,
): boolean {
  const first = next.text.charAt(0);
  if (first === '"' && escaping !== 'none') return true; // nginx escapes quotes inside values
  return (NO_SPACE.has(name) || name in KNOWN_SPACES) && NO_SPACE_DELIMITERS.has(first);
}

class TemplateParser implements LineParser {
  // The hot left-to-right walk reads flat typed arrays (one shape, no per-slot objects).
  private readonly isLiteral: Uint8Array;
  private readonly literals: Uint8Array[];
  private readonly lengths: Int32Array;
  private readonly fields: Int8Array;
  private readonly skips: Int8Array;
  /** Usual width of fixed-width values ($time_local), tried before scanning. */
  private readonly widths: Int16Array;
  private readonly jsonQuoted: Uint8Array;
  /** Slots walked from the left: all of them, or up to the first ambiguous variable. */
  private readonly leftEnd: number;
  /** Past this slot nothing the decision needs is left (only when there is no ambiguous part). */
  private readonly stopAfter: number;

  constructor(
    private readonly slots: Slot[],
    private readonly ambiguous: number,
    lastUseful: number,
    escaping: Escape,
    readonly description: string,
    readonly provides: ReadonlySet<FieldId>,
  ) {
    const n = slots.length;
    this.isLiteral = new Uint8Array(n);
    this.literals = [];
    this.lengths = new Int32Array(n);
    this.fields = new Int8Array(n);
    this.skips = new Int8Array(n);
    this.widths = new Int16Array(n);
    this.jsonQuoted = new Uint8Array(n);
    slots.forEach((slot, i) => {
      this.isLiteral[i] = slot.literal === null ? 0 : 1;
      this.literals.push(new Uint8Array(slot.literal ?? []));
      this.lengths[i] = slot.literal?.length ?? 0;
      this.fields[i] = slot.field;
      this.skips[i] = slot.skipSpaces;
      this.widths[i] = slot.width;
      this.jsonQuoted[i] = slot.quoted && escaping === 'json' ? 1 : 0;
    });
    this.leftEnd = ambiguous < 0 ? n : ambiguous;
    this.stopAfter = ambiguous < 0 ? lastUseful : n;
  }

  parse(buf: Uint8Array, start: number, end: number, out: ParsedLine): boolean {
    out.reset(buf);
    const spans = out.spans;
    const { isLiteral, literals, lengths, fields, skips, widths, jsonQuoted, leftEnd, stopAfter } =
      this;
    const count = isLiteral.length;
    let pos = start;
    let i = 0;
    while (i < leftEnd) {
      if (i > stopAfter) return true;
      if (isLiteral[i] === 1) {
        const literal = literals[i] ?? EMPTY;
        const length = lengths[i] ?? 0;
        if (pos + length > end) return false;
        for (let j = 0; j < length; j++) if (buf[pos + j] !== literal[j]) return false;
        pos += length;
        i++;
        continue;
      }
      let valueEnd = end;
      let next = i + 1;
      if (next < count) {
        // Find the literal that follows: its first byte, then the rest.
        const literal = literals[next] ?? EMPTY;
        const length = lengths[next] ?? 0;
        const first = literal[0] ?? 0;
        const last = end - length;
        valueEnd = -1;
        let k = pos;
        const width = widths[i] ?? 0;
        if (width > 0 && pos + width <= last && matchesAt(buf, pos + width, end, literal)) {
          valueEnd = pos + width; // fixed-width value ($time_local): no scanning
        } else {
          for (let s = skips[i] ?? 0; s > 0; s--) {
            while (k < end && buf[k] !== 32) k++;
            k++;
          }
          while (k <= last) {
            // Native memchr for the first byte; a hit past the line's end is no hit.
            k = buf.indexOf(first, k);
            if (k < 0 || k > last) break;
            let j = 1;
            while (j < length && buf[k + j] === literal[j]) j++;
            if (j === length && !(jsonQuoted[i] === 1 && isEscaped(buf, pos, k))) {
              valueEnd = k;
              break;
            }
            k++;
          }
        }
        if (valueEnd < 0) return false;
        next++; // the literal is matched already
      }
      const field = fields[i] ?? 0;
      if (field >= 0) {
        spans[field * 2] = pos;
        spans[field * 2 + 1] = valueEnd;
      }
      pos = valueEnd + (next - i - 1 === 1 ? (lengths[i + 1] ?? 0) : 0);
      i = next;
    }
    if (this.ambiguous < 0) return true;
    const slots = this.slots;
    let rpos = end;
    for (let i = slots.length - 1; i > this.ambiguous; i--) {
      const slot = slots[i];
      if (slot === undefined) return false;
      if (slot.literal !== null) {
        if (
          rpos - slot.literal.length < pos ||
          !matchesAt(buf, rpos - slot.literal.length, end, slot.literal)
        ) {
          return false;
        }
        rpos -= slot.literal.length;
        continue;
      }
      // compileTemplate refused adjacent variables, so a literal precedes every variable here.
      const previous = slots[i - 1]?.literal ?? EMPTY;
      const literalStart = findBackward(buf, pos, rpos, previous);
      if (literalStart < 0) return false;
      if (slot.field >= 0) out.set(slot.field as FieldId, literalStart + previous.length, rpos);
      rpos = literalStart + previous.length;
    }
    if (rpos < pos) return false;
    const middle = slots[this.ambiguous];
    if (middle !== undefined && middle.field >= 0) out.set(middle.field as FieldId, pos, rpos);
    return true;
  }
}

function matchesAt(buf: Uint8Array, at: number, end: number, literal: Uint8Array): boolean {
  if (at + literal.length > end) return false;
  for (let j = 0; j < literal.length; j++) if (buf[at + j] !== literal[j]) return false;
  return true;
}

function findBackward(buf: Uint8Array, from: number, to: number, literal: Uint8Array): number {
  const first = literal[0] ?? 0;
  let k = to - literal.length;
  while (k >= from) {
    k = buf.lastIndexOf(first, k);
    if (k < from) return -1;
    let j = 1;
    while (j < literal.length && buf[k + j] === literal[j]) j++;
    if (j === literal.length) return k;
    k--;
  }
  return -1;
}

/** Under escape=json a quote preceded by an odd number of backslashes is part of the value. */
function isEscaped(buf: Uint8Array, from: number, at: number): boolean {
  let backslashes = 0;
  for (let k = at - 1; k >= from && buf[k] === 92; k--) backslashes++;
  return (backslashes & 1) === 1;
}
