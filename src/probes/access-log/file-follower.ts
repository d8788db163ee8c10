/**
 * Follows a local log file by name, as `tail -F` does, surviving every way logs are rotated:
 * - rename and create (logrotate `create`; nginx keeps writing the old file until USR1):
 *   the old file is read on for a grace period, the new one from its first byte;
 * - copytruncate: the file shrinks (or is replaced by new bytes of the same length), so the
 *   follower starts again at 0;
 * - delete and recreate: the open descriptor keeps the deleted file readable until the new
 *   one appears;
 * - not there yet: waits for it, then reads it from the start (all of it is new).
 * Reads in fixed chunks into one reused buffer, so memory does not depend on the file's size.
 * Reads when polled, and as soon as the file system reports a change (change-watch.ts); reads
 * run one at a time, whoever asks.
 */
import { type FileHandle, stat } from 'node:fs/promises';
import { openRegularFile, unreadableFileFound } from '../../config/regular-file.js';
import { DrainctlError } from '../../errors/index.js';
import type { Clock } from '../../ports/index.js';
import { ChangeWatch, type WatchFunction, type WatchHandle } from './change-watch.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './line-splitter.js';
import type { FollowerSink, LogFollower } from './log-follower.js';

export interface FileFollowerOptions {
  /** `end` (the default and what probes use: history is never replayed) or `start` (benchmarks). */
  startAt?: 'end' | 'start';
  /**
   * The read size while there is a backlog (1 MiB). A follower that is caught up reads into a
   * buffer of `SMALL_CHUNK_BYTES`: a fleet night follows a hundred logs at once, and a megabyte
   * each was most of its memory.
   */
  chunkBytes?: number;
  maxLineBytes?: number;
  /** At most this many bytes per file per poll, so one poll cannot take unbounded time. */
  maxBytesPerPoll?: number;
  /** How long a rotated-away file is still read after it stopped growing. */
  rotatedGraceMs?: number;
  /**
   * Also read as soon as the file system reports a change (`fs.watch`), not only when polled.
   * Default on; `false` reads on polls only; a function stands in for `fs.watch` (tests).
   */
  watch?: boolean | WatchFunction;
  /** Least time between two reads that change notifications start (default 20 ms). */
  wakeGapMs?: number;
}

/** The read buffer of a follower that is caught up: a few hundred lines. */
const SMALL_CHUNK_BYTES = 64 * 1024;

/** Bytes before the read position remembered to notice a truncate-and-regrow between polls. */
const TAIL_CHECK_BYTES = 64;

interface OpenFile {
  handle: FileHandle;
  dev: bigint;
  ino: bigint;
  position: number;
  splitter: LineSplitter;
  tail: Buffer;
  tailLength: number;
  lastGrowth: number;
  watch: WatchHandle | undefined;
}

export class FileFollower implements LogFollower {
  private current: OpenFile | undefined;
  private retired: OpenFile[] = [];
  private chunk: Buffer;
  private readonly check = Buffer.alloc(TAIL_CHECK_BYTES);
  private missingReported = false;
  /** Bytes read from all files so far (benchmarks and diagnostics). */
  bytesRead = 0;
  private closed = false;
  private readonly options: Required<Omit<FileFollowerOptions, 'watch' | 'wakeGapMs'>>;
  private readonly changes: ChangeWatch | undefined;
  /** The read (or the start) running now, and at most one waiting behind it. Neither rejects. */
  private running: Promise<void> | undefined;
  private waiting: Promise<void> | undefined;
  /** A read that failed, thrown by the next poll (a read a notification started has no caller). */
  private failure: unknown;
  availableSince = Number.NEGATIVE_INFINITY;

  constructor(
    readonly path: string,
    private readonly sink: FollowerSink,
    private readonly clock: Clock,
    options: FileFollowerOptions = {},
  ) {
    this.options = {
      startAt: options.startAt ?? 'end',
      chunkBytes: options.chunkBytes ?? 1024 * 1024,
      maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
      maxBytesPerPoll: options.maxBytesPerPoll ?? 64 * 1024 * 1024,
      rotatedGraceMs: options.rotatedGraceMs ?? 30_000,
    };
    this.chunk = Buffer.alloc(Math.min(SMALL_CHUNK_BYTES, this.options.chunkBytes));
    if (options.watch !== false) {
      this.changes = new ChangeWatch(
        path,
        () => void this.read(),
        (reason) =>
          sink.event({
            type: 'note',
            detail: `${path}: no change notifications (${reason}); reading it once per poll`,
          }),
        typeof options.watch === 'function' ? options.watch : undefined,
        options.wakeGapMs,
      );
    }
  }

  /** Whether change notifications are in use (false when off, or after they failed). */
  get watching(): boolean {
    return this.changes?.active ?? false;
  }

  get available(): boolean {
    return this.current !== undefined;
  }

  /** Position at the end of the file (or note that it is missing). Call once before polling. */
  async start(): Promise<void> {
    // Watching first: a line written while the file is being opened still wakes a read.
    this.changes?.watchDirectory();
    await this.run(() => this.startUnguarded());
    this.throwFailure();
  }

  async poll(): Promise<void> {
    await this.read();
    this.throwFailure();
  }

  /**
   * A read that starts after this call, so it sees everything written before it: a new one when
   * none is running, else the one waiting behind the running read (shared by every caller).
   */
  private read(): Promise<void> {
    if (this.waiting !== undefined) return this.waiting;
    if (this.running === undefined) return this.run(() => this.pollUnguarded());
    const waiting = this.running.then(() => {
      this.waiting = undefined;
      return this.run(() => this.pollUnguarded());
    });
    this.waiting = waiting;
    return waiting;
  }

  private run(task: () => Promise<void>): Promise<void> {
    const running: Promise<void> = this.guard(task)
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => {
        if (this.running === running) this.running = undefined;
      });
    this.running = running;
    return running;
  }

  private throwFailure(): void {
    if (this.failure === undefined) return;
    const failure = this.failure;
    this.failure = undefined;
    throw failure;
  }

  private async startUnguarded(): Promise<void> {
    const info = await statOrUndefined(this.path);
    if (info === undefined) {
      this.reportMissing('not there yet; waiting for it to appear');
      return;
    }
    this.current = await this.openFile(this.options.startAt === 'end');
    this.availableSince = this.clock.monotonic();
  }

  private async pollUnguarded(): Promise<void> {
    if (this.closed) return;
    const info = await statOrUndefined(this.path);
    if (info === undefined) {
      if (this.current !== undefined)
        this.reportMissing('removed or renamed; reading the open file until a new one appears');
    } else if (this.current === undefined) {
      this.current = await this.openFile(false);
      this.availableSince = this.clock.monotonic();
      this.missingReported = false;
      this.sink.event({
        type: 'appeared',
        detail: `${this.path} appeared; reading it from the start`,
      });
    } else if (info.ino !== this.current.ino || info.dev !== this.current.dev) {
      await this.readNew(this.current);
      this.current.lastGrowth = this.clock.monotonic();
      this.retired.push(this.current);
      this.current = await this.openFile(false);
      this.missingReported = false;
      this.sink.event({
        type: 'rotated',
        detail: `${this.path} was replaced (rotation); following the new file`,
      });
    }
    // Older files first, so lines arrive in the order they were written.
    for (const file of [...this.retired]) {
      const grew = await this.readNew(file);
      if (grew) file.lastGrowth = this.clock.monotonic();
      else if (this.clock.monotonic() - file.lastGrowth >= this.options.rotatedGraceMs) {
        await this.release(file);
        this.retired = this.retired.filter((f) => f !== file);
      }
    }
    if (this.current !== undefined) await this.readNew(this.current);
  }

  /** File system errors other than "not there" (permissions, a directory …) are the probe's failure. */
  private async guard(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new DrainctlError(
        'PROBE_FAILED',
        `cannot read ${this.path}: ${unreadableFileFound(error)}`,
        {
          cause: error,
          hint:
            code === 'EACCES'
              ? 'run as a user who may read the log (e.g. in group adm)'
              : undefined,
        },
      );
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.changes?.close();
    await (this.waiting ?? this.running);
    for (const file of [this.current, ...this.retired]) if (file) await file.handle.close();
    this.current = undefined;
    this.retired = [];
  }

  private async openFile(atEnd: boolean): Promise<OpenFile> {
    // Never blocks: a FIFO at the log's path would otherwise hang the run in the kernel.
    const handle = await openRegularFile(this.path);
    try {
      const info = await handle.stat({ bigint: true });
      const file: OpenFile = {
        handle,
        dev: info.dev,
        ino: info.ino,
        position: 0,
        splitter: new LineSplitter(this.sink.onLine, this.options.maxLineBytes),
        tail: Buffer.alloc(TAIL_CHECK_BYTES),
        tailLength: 0,
        lastGrowth: this.clock.monotonic(),
        watch: undefined,
      };
      if (atEnd && info.size > 0n) {
        file.position = Number(info.size);
        // Start at a line boundary: a line being written right now belongs to history.
        await this.rememberTail(file);
        if (file.tail[file.tailLength - 1] !== 10) file.splitter.skipPartialLine();
      }
      file.watch = this.changes?.watchFile();
      return file;
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Read everything appended since the last read; true when there was something. Three system
   * calls when a few lines were appended (the name, the bytes before our position, the new
   * bytes), as change notifications make reads frequent.
   */
  private async readNew(file: OpenFile): Promise<boolean> {
    // A file now shorter than our position fails this check too: no need to ask for its size.
    if (!(await this.tailUnchanged(file))) {
      if (file.splitter.discardPartial()) this.sink.droppedPartial();
      file.position = 0;
      file.tailLength = 0;
      this.sink.event({
        type: 'truncated',
        detail: `${this.path} was truncated (copytruncate?); reading it from the start`,
      });
    }
    let budget = this.options.maxBytesPerPoll;
    let grew = false;
    while (budget > 0) {
      const wanted = Math.min(this.chunk.length, budget);
      const { bytesRead } = await file.handle.read(this.chunk, 0, wanted, file.position);
      if (bytesRead === 0) break;
      grew = true;
      this.sink.beginBatch();
      file.splitter.push(this.chunk, 0, bytesRead);
      this.sink.endBatch();
      this.keepTail(file, bytesRead);
      file.position += bytesRead;
      this.bytesRead += bytesRead;
      budget -= bytesRead;
      // Less than asked for: that was the end of the file as it is now.
      if (bytesRead < wanted) break;
      if (this.chunk.length < this.options.chunkBytes) {
        this.chunk = Buffer.alloc(this.options.chunkBytes);
      }
    }
    // Caught up: the big buffer goes back to the collector until the next backlog.
    if (this.chunk.length > SMALL_CHUNK_BYTES && budget > 0) {
      this.chunk = Buffer.alloc(Math.min(SMALL_CHUNK_BYTES, this.options.chunkBytes));
    }
    return grew;
  }

  /** The bytes before the new position: the end of the chunk just read, after what was kept. */
  private keepTail(file: OpenFile, bytesRead: number): void {
    const fromChunk = Math.min(bytesRead, TAIL_CHECK_BYTES);
    const kept = Math.min(file.tailLength, TAIL_CHECK_BYTES - fromChunk);
    file.tail.copy(file.tail, 0, file.tailLength - kept, file.tailLength);
    this.chunk.copy(file.tail, kept, bytesRead - fromChunk, bytesRead);
    file.tailLength = kept + fromChunk;
  }

  private async rememberTail(file: OpenFile): Promise<void> {
    const length = Math.min(TAIL_CHECK_BYTES, file.position);
    const { bytesRead } = await file.handle.read(file.tail, 0, length, file.position - length);
    file.tailLength = bytesRead;
  }

  /** The bytes just before our position are still what we read: no truncate-and-regrow. */
  private async tailUnchanged(file: OpenFile): Promise<boolean> {
    if (file.tailLength === 0) return true;
    const from = file.position - file.tailLength;
    const { bytesRead } = await file.handle.read(this.check, 0, file.tailLength, from);
    return (
      bytesRead === file.tailLength &&
      this.check.compare(file.tail, 0, file.tailLength, 0, bytesRead) === 0
    );
  }

  private reportMissing(detail: string): void {
    if (this.missingReported) return;
    this.missingReported = true;
    this.sink.event({ type: 'missing', detail: `${this.path}: ${detail}` });
  }

  private async release(file: OpenFile): Promise<void> {
    if (file.splitter.discardPartial()) this.sink.droppedPartial();
    this.changes?.unwatch(file.watch);
    await file.handle.close();
  }
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path, { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
