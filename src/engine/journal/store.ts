/**
 * Where journal lines live. The file store is the real one (append, fsync, tolerate a torn last
 * line); the memory store serves property tests and dry runs of the programmatic API.
 */
import { type FileHandle, mkdir, open, readFile, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DrainctlError } from '../../errors/index.js';
import type { JournalEntry } from './entries.js';
import { entryProblem, orderProblem } from './entry-check.js';

export interface JournalStore {
  /**
   * Every complete entry, in order. A torn last line (crash mid-write) is dropped; with
   * `repair` (only the writer that is about to append) it is also cut from the file.
   */
  read(options?: { repair?: boolean }): Promise<JournalEntry[]>;
  /** Append one serialized entry durably (fsync'ed before this resolves). */
  append(line: string): Promise<void>;
  close(): Promise<void>;
  /** Where the journal lives, for messages. */
  describe(): string;
}

/** The file grew or shrank under this writer: another process writes the same journal. */
export class JournalAdvancedError extends Error {
  constructor(where: string) {
    super(`${where} was changed by another writer`);
  }
}

export class JournalCorruptError extends DrainctlError {
  constructor(where: string, line: number, problem: string) {
    super('JOURNAL_CORRUPT', `${where}: line ${line} is not a journal entry: ${problem}`, {
      hint:
        'a crash only tears the last line, so this was changed by something else; put it back as ' +
        'it was if you can (keep a copy of the file), else the run cannot be resumed: check its ' +
        "balancer's backend weights in the console (nodes may be out of service)",
    });
  }
}

/**
 * Parse journal text. Only the last line may be incomplete (the process died mid-write); it is
 * ignored and `validBytes` tells where the intact part ends so a writer can cut the fragment.
 * Every complete line must be an entry this version knows (entry-check.ts), in its place: the
 * plan first and only there, each `seq` one more than the line before.
 */
export function parseJournal(
  text: string,
  where: string,
): { entries: JournalEntry[]; validBytes: number } {
  const entries: JournalEntry[] = [];
  let offset = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const isLast = i === lines.length - 1;
    const complete = !isLast; // a complete line is followed by a newline
    if (line.trim() === '') {
      if (complete) offset += Buffer.byteLength(line) + 1;
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (cause) {
      const onlyTrailing = lines.slice(i + 1).every((rest) => rest.trim() === '');
      if (onlyTrailing) break;
      throw new JournalCorruptError(where, i + 1, `not JSON (${(cause as Error).message})`);
    }
    // Whole JSON is never a torn write's prefix: if it is not an entry, something else wrote it.
    const problem = entryProblem(parsed) ?? orderProblem(parsed as JournalEntry, entries.at(-1));
    if (problem !== undefined) throw new JournalCorruptError(where, i + 1, problem);
    if (!complete) break; // a whole entry without its newline is still a write that did not finish
    entries.push(parsed as JournalEntry);
    offset += Buffer.byteLength(line) + 1;
  }
  return { entries, validBytes: offset };
}

export class FileJournalStore implements JournalStore {
  private handle: Awaited<ReturnType<typeof open>> | undefined;
  /** The file's size as this process last read or wrote it. */
  private expectedSize: number | undefined;

  constructor(readonly path: string) {}

  describe(): string {
    return this.path;
  }

  async read(options: { repair?: boolean } = {}): Promise<JournalEntry[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        if (options.repair) this.expectedSize = 0;
        return [];
      }
      throw error;
    }
    const { entries, validBytes } = parseJournal(text, this.path);
    // Cut a torn fragment so the next append starts on a fresh line.
    if (options.repair && Buffer.byteLength(text) !== validBytes && this.handle === undefined) {
      await truncate(this.path, validBytes);
    }
    if (options.repair) this.expectedSize = validBytes;
    return entries;
  }

  /**
   * Throws `JournalAdvancedError` when the file is not as this writer left it, and the file
   * system's own error when the line cannot be written whole and synced.
   */
  async append(line: string): Promise<void> {
    if (this.expectedSize !== undefined) {
      const size = await stat(this.path).then(
        (s) => s.size,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return 0; // removed under us: not as we left it
          throw error;
        },
      );
      if (size !== this.expectedSize) throw new JournalAdvancedError(this.path);
    }
    if (this.handle === undefined) {
      await mkdir(dirname(this.path), { recursive: true });
      this.handle = await open(this.path, 'a', 0o600);
    }
    const bytes = Buffer.from(`${line}\n`);
    await writeWhole(this.handle, bytes);
    await this.handle.sync();
    if (this.expectedSize !== undefined) this.expectedSize += bytes.length;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}

/**
 * A write may take only part of the line (a file system filling up takes what fits): write the
 * rest until the file system either takes it or says why not (ENOSPC). Counting a short write
 * as done would leave a torn line behind an entry this process believes durable.
 */
async function writeWhole(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    if (bytesWritten <= 0) {
      throw Object.assign(new Error(`short write: ${offset} of ${bytes.length} bytes`), {
        code: 'EIO',
      });
    }
    offset += bytesWritten;
  }
}

export class MemoryJournalStore implements JournalStore {
  readonly lines: string[] = [];

  describe(): string {
    return 'in-memory journal';
  }

  async read(_options: { repair?: boolean } = {}): Promise<JournalEntry[]> {
    return parseJournal(this.lines.map((l) => `${l}\n`).join(''), 'memory').entries;
  }

  async append(line: string): Promise<void> {
    this.lines.push(line);
  }

  async close(): Promise<void> {}
}
