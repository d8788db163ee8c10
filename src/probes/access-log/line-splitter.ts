/**
 * Bytes in, whole lines out. Splits on `\n` in the raw bytes (so a UTF-8 character cut by a read
 * boundary is simply carried over with the rest of its line), never hands out half a line, and
 * keeps memory bounded: a line longer than `maxLineBytes` is cut to that length and counted.
 */

/** Called with `buf[start, end)` of one complete line, without the newline (and without `\r`). */
export type LineHandler = (buf: Uint8Array, start: number, end: number, truncated: boolean) => void;

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

export class LineSplitter {
  /**
   * Start of a line whose newline has not arrived yet. Grown as a held line needs it, up to
   * `maxLineBytes`: a fleet night follows hundreds of logs, most never holding more than one
   * ordinary line, and a full-size buffer each was megabytes for nothing.
   */
  private carry: Buffer = Buffer.alloc(0);
  private carryLength = 0;
  /** The carried line is already longer than the limit: its tail is being dropped. */
  private overflow = false;
  /** Lines cut to `maxLineBytes`. */
  truncatedLines = 0;
  /** The bytes up to the next newline end a line that began before we started: history. */
  private skipping = false;

  constructor(
    private readonly onLine: LineHandler,
    readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {}

  /** Bytes of an unfinished line held back. */
  get pendingBytes(): number {
    return this.carryLength;
  }

  push(chunk: Uint8Array, from = 0, to = chunk.length): void {
    let start = from;
    while (start < to) {
      const newline = chunk.indexOf(10, start);
      if (newline < 0 || newline >= to) {
        this.hold(chunk, start, to);
        return;
      }
      if (this.carryLength > 0 || this.overflow) {
        this.hold(chunk, start, newline);
        this.emit(this.carry, 0, this.carryLength, this.overflow);
        this.carryLength = 0;
        this.overflow = false;
      } else if (newline - start > this.maxLineBytes) {
        this.emit(chunk, start, start + this.maxLineBytes, true);
      } else {
        this.emit(chunk, start, newline, false);
      }
      start = newline + 1;
    }
  }

  /** We start in the middle of a line: drop everything up to the next newline. */
  skipPartialLine(): void {
    this.skipping = true;
  }

  /**
   * Drop the unfinished line (the file was truncated or replaced under it). Returns whether
   * there was one, so the caller can count it: it may have been a request.
   */
  discardPartial(): boolean {
    const had = (this.carryLength > 0 || this.overflow) && !this.skipping;
    this.skipping = false;
    this.carryLength = 0;
    this.overflow = false;
    return had;
  }

  private hold(chunk: Uint8Array, start: number, end: number): void {
    const room = this.maxLineBytes - this.carryLength;
    const take = Math.min(room, end - start);
    if (take > 0) {
      this.makeRoom(this.carryLength + take);
      this.carry.set(chunk.subarray(start, start + take), this.carryLength);
      this.carryLength += take;
    }
    if (end - start > take) this.overflow = true;
  }

  /** A carry of at least `needed` bytes (doubling from 1 KiB, never past the limit). */
  private makeRoom(needed: number): void {
    if (needed <= this.carry.length) return;
    let size = Math.max(1024, this.carry.length);
    while (size < needed) size *= 2;
    const grown = Buffer.alloc(Math.min(size, this.maxLineBytes));
    this.carry.copy(grown, 0, 0, this.carryLength);
    this.carry = grown;
  }

  private emit(buf: Uint8Array, start: number, end: number, truncated: boolean): void {
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    if (truncated) this.truncatedLines++;
    // CRLF logs: the `\r` is not part of the last field.
    const stop = !truncated && end > start && buf[end - 1] === 13 ? end - 1 : end;
    this.onLine(buf, start, stop, truncated);
  }
}
