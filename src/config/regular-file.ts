/**
 * Reading a file a person named (a workflow, a topology, `.env`, an access log): only a regular
 * file is read. Opening a FIFO without a writer blocks in the kernel, where no signal reaches
 * the wait, and a character device (`/dev/zero`) never ends; a directory is no file either. So
 * the file is opened without blocking, and what it is is checked on the open descriptor (no
 * window for a swap between a check and the open) before a byte is read.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

const READ_WITHOUT_BLOCKING = constants.O_RDONLY | constants.O_NONBLOCK;

/** The file at the path is there but is not a regular file. */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';
  constructor(
    readonly path: string,
    /** What it is: `a FIFO (named pipe)`, `a directory` … */
    readonly kind: string,
  ) {
    super(`${path} is ${kind}, not a regular file`);
  }
}

function kindOf(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** Open a regular file for reading; anything else is a `NotRegularFileError`, never a wait. */
export async function openRegularFile(path: string): Promise<FileHandle> {
  const handle = await open(path, READ_WITHOUT_BLOCKING);
  try {
    const kind = kindOf(await handle.stat());
    if (kind !== undefined) throw new NotRegularFileError(path, kind);
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

export async function readRegularFile(path: string): Promise<Buffer> {
  const handle = await openRegularFile(path);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export function readRegularFileSync(path: string): Buffer {
  const fd = openSync(path, READ_WITHOUT_BLOCKING);
  try {
    const kind = kindOf(fstatSync(fd));
    if (kind !== undefined) throw new NotRegularFileError(path, kind);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Why a named file could not be read, as the `found` of an invalid-input line: `no such file`,
 * `a FIFO (named pipe)`, `permission denied`, `cannot be read (EIO)`.
 */
export function unreadableFileFound(error: unknown): string {
  if (error instanceof NotRegularFileError) return error.kind;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'a directory';
  return `cannot be read (${code ?? (error instanceof Error ? error.message : String(error))})`;
}
