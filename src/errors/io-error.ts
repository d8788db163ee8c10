/**
 * What a failed file write means, in the words an operator acts on at night: "no space left on
 * the device", not `ENOSPC: no space left on device, write`. One table, used wherever drainctl
 * writes what it depends on (the run journal, the lock and its heartbeat).
 */

interface IoErrorWords {
  /** What happened: `no space left on the device`. */
  meaning: string;
  /** What makes the path writable again: `free space on the device holding /x`. */
  remedy: (dir: string) => string;
}

const WORDS: Record<string, IoErrorWords> = {
  ENOSPC: {
    meaning: 'no space left on the device',
    remedy: (dir) => `free space on the device holding ${dir}`,
  },
  EDQUOT: {
    meaning: 'the disk quota is used up',
    remedy: (dir) => `free space or raise the disk quota for ${dir}`,
  },
  EROFS: {
    meaning: 'the file system is read-only (mounted read-only, or remounted so after errors)',
    remedy: (dir) => `make the file system holding ${dir} writable again (check the kernel log)`,
  },
  EIO: {
    meaning: 'an I/O error on the device',
    remedy: (dir) => `check the device holding ${dir} (an I/O error: see the kernel log)`,
  },
  EFBIG: {
    meaning: 'the file is too large for the file system or its limits',
    remedy: (dir) => `check the file size limits on ${dir} (ulimit -f)`,
  },
  EACCES: {
    meaning: 'permission denied',
    remedy: (dir) => `give this user write access to ${dir}`,
  },
  EPERM: {
    meaning: 'operation not permitted',
    remedy: (dir) => `give this user write access to ${dir}`,
  },
};

/** The errno code of a Node file-system error (`ENOSPC`), if it has one. */
export function ioErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** `no space left on the device (ENOSPC)`; the error's own message for codes not in the table. */
export function describeIoError(error: unknown): string {
  const code = ioErrorCode(error);
  const words = code === undefined ? undefined : WORDS[code];
  if (words !== undefined) return `${words.meaning} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/** What to do so `dir` can be written again: `free space on the device holding /x`. */
export function ioErrorRemedy(error: unknown, dir: string): string {
  const code = ioErrorCode(error);
  const words = code === undefined ? undefined : WORDS[code];
  return words?.remedy(dir) ?? `fix what keeps ${dir} from being written`;
}
