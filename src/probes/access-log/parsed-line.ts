/**
 * One parsed access-log line as byte spans into the line's buffer. The tailer reuses a single
 * instance for every line, so parsing allocates nothing: fields are offsets, not strings.
 */

/** The fields the drain decision and the bake need. Everything else in a log line is skipped. */
export const Field = {
  /** `$remote_addr` (or `$realip_remote_addr`, `$proxy_protocol_addr`). */
  address: 0,
  /** `$http_x_forwarded_for`: the client on layer-7 listeners. */
  forwardedFor: 1,
  /** `$request`: `METHOD URI PROTOCOL`. */
  request: 2,
  /** `$request_method`, when logged on its own. */
  method: 3,
  /** `$request_uri` or `$uri`, when logged on their own. */
  uri: 4,
  status: 5,
  userAgent: 6,
  /** `$request_time`: seconds with a millisecond part (`0.123`); the bake's latency. */
  requestTime: 7,
} as const;
export type FieldId = (typeof Field)[keyof typeof Field];
export const FIELD_COUNT = 8;

const EMPTY = new Uint8Array(0);

/** Spans are `[start, end)` byte offsets into `buf`; -1 means the field is not in the line. */
export class ParsedLine {
  buf: Uint8Array = EMPTY;
  readonly spans = new Int32Array(FIELD_COUNT * 2);

  reset(buf: Uint8Array): void {
    this.buf = buf;
    const spans = this.spans;
    // A plain loop: cheaper than TypedArray#fill for 14 entries, and this runs for every line.
    for (let i = 0; i < spans.length; i++) spans[i] = -1;
  }

  set(field: FieldId, start: number, end: number): void {
    this.spans[field * 2] = start;
    this.spans[field * 2 + 1] = end;
  }

  start(field: FieldId): number {
    return this.spans[field * 2] ?? 0;
  }

  end(field: FieldId): number {
    return this.spans[field * 2 + 1] ?? 0;
  }

  has(field: FieldId): boolean {
    return (this.spans[field * 2] ?? 0) >= 0;
  }

  /** The field as text (for tests and for the rare line worth reporting); '' when absent. */
  text(field: FieldId): string {
    if (!this.has(field)) return '';
    return Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength).toString(
      'utf8',
      this.start(field),
      this.end(field),
    );
  }

  /** HTTP status as a number, or -1 when absent or not a number. */
  status(): number {
    if (!this.has(Field.status)) return -1;
    const buf = this.buf;
    let value = 0;
    const end = this.end(Field.status);
    for (let i = this.start(Field.status); i < end; i++) {
      const c = buf[i] ?? 0;
      if (c < 48 || c > 57) return -1;
      value = value * 10 + (c - 48);
    }
    return end > this.start(Field.status) ? value : -1;
  }

  /** `$request_time` in milliseconds, or -1 when absent or not a number (nginx writes `-`). */
  requestTimeMs(): number {
    if (!this.has(Field.requestTime)) return -1;
    const buf = this.buf;
    const start = this.start(Field.requestTime);
    const end = this.end(Field.requestTime);
    let whole = 0;
    let fraction = 0;
    let scale = 1;
    let point = false;
    for (let i = start; i < end; i++) {
      const c = buf[i] ?? 0;
      if (c === 46 && !point) {
        point = true;
        continue;
      }
      if (c < 48 || c > 57) return -1;
      if (point) {
        scale *= 10;
        fraction = fraction * 10 + (c - 48);
      } else {
        whole = whole * 10 + (c - 48);
      }
    }
    return end > start ? (whole + fraction / scale) * 1000 : -1;
  }
}

/** A parser fills `out` from the line `buf[start, end)`; false when the line does not fit the format. */
export interface LineParser {
  readonly description: string;
  /** Which fields the format provides (the filter warns about checks it cannot make). */
  readonly provides: ReadonlySet<FieldId>;
  parse(buf: Uint8Array, start: number, end: number, out: ParsedLine): boolean;
}
