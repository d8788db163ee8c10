/**
 * Tells a file follower when its log may have changed, from the file system's own notifications
 * (`fs.watch`: inotify on Linux), so appended lines are read within milliseconds instead of at
 * the next poll. Notifications are only a hint — they can be spurious, coalesced or missing
 * (network file systems, some container mounts) — so the follower's poll stays the safety net,
 * and once a watch cannot be set up or fails, notifications are given up and the follower reads
 * on its polls alone.
 */
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** What the follower needs of `fs.watch` (tests pass one that fails). */
export type WatchFunction = (
  path: string,
  listener: (event: string, filename: string | null) => void,
) => WatchHandle;

export interface WatchHandle {
  close(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** A watch alone never keeps the process alive: the poll's timer and the caller's wait do. */
export const watchPath: WatchFunction = (path, listener) =>
  watch(path, { persistent: false }, listener);

export class ChangeWatch {
  private directory: WatchHandle | undefined;
  private readonly files = new Set<WatchHandle>();
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private lastWake = Number.NEGATIVE_INFINITY;

  /**
   * @param wake    asks the follower to read now
   * @param gaveUp  notifications failed (with why): the follower reads on its polls only
   * @param gapMs   least time between two wakes, so a busy log is read in batches, not per write
   */
  constructor(
    private readonly path: string,
    private readonly wake: () => void,
    private readonly gaveUp: (reason: string) => void,
    private readonly watchFn: WatchFunction = watchPath,
    private readonly gapMs = 20,
  ) {}

  /** Whether notifications are still in use. */
  get active(): boolean {
    return !this.stopped;
  }

  /**
   * The log's directory, for its name appearing, disappearing or being replaced. Writes to the
   * file are left to the file's own watch: one wake per write, not two.
   */
  watchDirectory(): void {
    const name = basename(this.path);
    this.directory = this.attempt(dirname(this.path), (event, filename) => {
      if (event === 'rename' && (filename === null || filename === name)) this.notify();
    });
  }

  /**
   * The file now at the path, followed by inode: writes to it wake the reader even after it was
   * renamed away by a rotation, while the writer still appends to it.
   */
  watchFile(): WatchHandle | undefined {
    const handle = this.attempt(this.path, () => this.notify());
    if (handle !== undefined) this.files.add(handle);
    return handle;
  }

  /** Stop watching a file the follower let go of. */
  unwatch(handle: WatchHandle | undefined): void {
    if (handle === undefined || !this.files.delete(handle)) return;
    handle.close();
  }

  close(): void {
    this.stopped = true;
    this.closeAll();
  }

  private attempt(
    path: string,
    listener: (event: string, filename: string | null) => void,
  ): WatchHandle | undefined {
    if (this.stopped) return undefined;
    try {
      const handle = this.watchFn(path, listener);
      handle.on('error', (error) => this.giveUp(error));
      return handle;
    } catch (error) {
      // Renamed away between being opened and being watched: the directory's watch still sees
      // the name, and the poll the rest.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && path === this.path) return;
      this.giveUp(error);
      return undefined;
    }
  }

  private giveUp(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.closeAll();
    const code = (error as NodeJS.ErrnoException).code;
    this.gaveUp(code ?? (error instanceof Error ? error.message : String(error)));
  }

  private closeAll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.directory?.close();
    this.directory = undefined;
    for (const handle of this.files) handle.close();
    this.files.clear();
  }

  // Real time, not the Clock: this paces reads against a file system that reports every write,
  // and decides nothing — a line is stamped with the Clock when it is read.
  private notify(): void {
    if (this.stopped || this.timer !== undefined) return;
    const wait = this.lastWake + this.gapMs - performance.now();
    if (wait <= 0) {
      this.fire();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fire();
    }, wait);
    this.timer.unref();
  }

  private fire(): void {
    if (this.stopped) return;
    this.lastWake = performance.now();
    this.wake();
  }
}
