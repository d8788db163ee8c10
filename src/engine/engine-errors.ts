/**
 * The engine's typed errors. `FatalRunError`s stop the executor at once, without cleanup that
 * would mutate: when the journal cannot be written, nothing may be changed without its intent.
 */
import { dirname, join } from 'node:path';
import {
  DrainctlError,
  type DrainctlErrorOptions,
  describeIoError,
  ExitCode,
  ioErrorCode,
  ioErrorRemedy,
} from '../errors/index.js';

export class FatalRunError extends DrainctlError {}

/** Where a run stood when its journal could no longer be written (journal-failure.ts). */
export interface RunStanding {
  runId: string;
  /** Its plan entry was written: the run may have changed things, and `resume` continues it. */
  started: boolean;
  /** Each node as last journaled, and what was sent but never journaled as done. */
  nodes?: string;
}

/**
 * The journal cannot be written (a full or read-only disk, an I/O error): the run stops where
 * it stands, since nothing may be changed without its intent on disk. Not a lost lock: no other
 * writer is involved, and the message says what happened to the file.
 */
export class JournalWriteError extends FatalRunError {
  /** The errno code of the failed write (`ENOSPC`), when the file system gave one. */
  readonly errno: string | undefined;

  constructor(
    readonly path: string,
    cause: unknown,
    readonly standing?: RunStanding,
  ) {
    const what = `cannot write the run journal ${path}: ${describeIoError(cause)}`;
    const remedy = ioErrorRemedy(cause, dirname(path));
    let text = what;
    let hint = `nothing more was changed; ${remedy}, then \`drainctl resume <run-id>\``;
    if (standing !== undefined && !standing.started) {
      text = `${what}; run ${standing.runId} did not start: nothing was changed`;
      hint = `${remedy}, then run it again`;
    } else if (standing !== undefined) {
      text = `${what}; run ${standing.runId} stopped at once and changed nothing more (no change is made before its journal entry is on disk)${standing.nodes ? `; ${standing.nodes}` : ''}`;
      hint = `${remedy}, then \`drainctl resume ${standing.runId}\`: it reads back what is in doubt, reconciles the journal with the live state and continues`;
    }
    super('JOURNAL_WRITE_FAILED', text, { cause, hint });
    this.errno = ioErrorCode(cause);
  }
}

export interface LockHolder {
  runId: string;
  pid: number;
  host: string;
  /** When the holder took the lock (ISO), if known. */
  acquiredAt?: string;
  /** Seconds since its last heartbeat; absent where none is kept (the balancer's tag). */
  ageSeconds?: number;
  stale: boolean;
  /** On another host: whether it is alive cannot be checked from here. */
  remote?: boolean;
  /** Why it is (not) considered alive. */
  why?: string;
}

export class LockHeldError extends DrainctlError {
  constructor(
    readonly key: string,
    readonly holder: LockHolder,
    /** Where the lock lives: the lock file and DRAINCTL_HOME, or the balancer's tag. */
    readonly where = '',
    options: DrainctlErrorOptions = {},
  ) {
    const started = holder.acquiredAt ? `, started ${holder.acquiredAt}` : '';
    const why = holder.why ? `: ${holder.why}` : '';
    const beat =
      holder.ageSeconds === undefined
        ? ''
        : `, heartbeat ${holder.ageSeconds}s ago${holder.stale ? ', looks stale' : ''}`;
    super(
      'LOCK_HELD',
      `load balancer ${key} is held by run ${holder.runId} (pid ${holder.pid} on ${holder.host}${beat})${started}${why}${where ? `; ${where}` : ''}`,
      { hint: lockHeldHint(holder), ...options },
    );
  }
}

function lockHeldHint(holder: LockHolder): string {
  const { runId, pid, host } = holder;
  if (holder.stale) {
    return `if run ${runId} is really gone (check ${host}; \`drainctl status ${runId}\`), run again with --break-lock`;
  }
  if (holder.remote) {
    return `wait for it, or stop it with \`drainctl abort ${runId}\`; its heartbeat is fresh, so --break-lock does not take it`;
  }
  const suspended =
    (holder.ageSeconds ?? 0) > 15
      ? `; its heartbeat is ${holder.ageSeconds}s old, so it may be suspended (Ctrl-Z, SIGSTOP) or starved: \`kill -CONT ${pid}\` lets it carry on`
      : '';
  return `wait for it, or stop it with \`drainctl abort ${runId}\`${suspended}; a live process's lock is never broken`;
}

/**
 * The tag write took so long that another run may have taken the balancer in between and been
 * overwritten unseen (tags have no compare-and-set): this run cannot prove the lock is its own.
 */
export class LockUncertainError extends DrainctlError {
  constructor(key: string, tookMs: number, boundMs: number) {
    super(
      'LOCK_UNCERTAIN',
      `could not take the lock on load balancer ${key}: setting its drainctl-lock tag completed ${(tookMs / 1000).toFixed(1)}s after reading it (more than ${boundMs / 1000}s: the API is slow or throttling), so another run may have taken the balancer meanwhile; nothing was changed`,
      {
        hint: 'run it again in a moment; if another run holds the balancer by then, you are told which',
      },
    );
  }
}

export class LockLostError extends FatalRunError {
  constructor(
    key: string,
    detail: string,
    /** The run that holds it now, when known (the same run: a resume took over). */
    readonly holderRunId?: string,
  ) {
    super('LOCK_LOST', `lock lost: the lock on ${key} is no longer this run's: ${detail}`, {
      hint: `this process changed nothing more (no rollback: the lock holder drives now); ${holderRunId === undefined ? '`drainctl status` shows the latest run in this DRAINCTL_HOME' : `\`drainctl status ${holderRunId}\` shows what the holder does`}`,
    });
  }
}

/** The lock file cannot be written (a full or read-only disk): the run did not start. */
export class LockWriteError extends DrainctlError {
  constructor(key: string, path: string, cause: unknown) {
    super(
      'LOCK_WRITE_FAILED',
      `cannot take the lock on load balancer ${key}: cannot write ${path}: ${describeIoError(cause)}; nothing was changed`,
      { cause, hint: `${ioErrorRemedy(cause, dirname(path))}, then try again` },
    );
  }
}

/**
 * The lock's heartbeat file cannot be written. The lock itself still holds (it is checked
 * before every change); only its freshness, which runs on other hosts judge it by, is not
 * renewed until the disk takes writes again.
 */
export class HeartbeatWriteError extends DrainctlError {
  constructor(path: string, cause: unknown) {
    super(
      'LOCK_HEARTBEAT_FAILED',
      `cannot renew the lock's heartbeat ${path}: ${describeIoError(cause)}; the lock still holds, but runs on other hosts sharing this DRAINCTL_HOME see its heartbeat age`,
      { cause, hint: ioErrorRemedy(cause, dirname(path)) },
    );
  }
}

export class RunNotFoundError extends DrainctlError {
  constructor(runId: string, runs: string) {
    super('RUN_NOT_FOUND', `no run ${runId} in ${runs}`, {
      hint: `each run is a directory there, named by its start time (\`ls ${runs}\`); DRAINCTL_HOME must be the same as for the run`,
      exitCode: ExitCode.invalidInput,
    });
  }
}

/**
 * A run id given by a person that is not one `newRunId` makes: it would name a path outside
 * the runs directory (`../../x`) or a directory no run was written to.
 */
export class InvalidRunIdError extends DrainctlError {
  constructor(runId: string, runs: string) {
    super(
      'INVALID_INPUT',
      `run id: expected an id like r-20261121-020000-1a2b (r-, the UTC start date and time, 4 hex digits), found ${JSON.stringify(runId)}`,
      {
        hint: `each run is a directory in ${runs} named by its id (\`ls ${runs}\`)`,
        exitCode: ExitCode.invalidInput,
      },
    );
  }
}

/**
 * A run directory whose journal is another run's (copied or renamed): the id it was asked by
 * is not the one its journal, its locks and its `next:` hints use, so it is neither shown nor
 * resumed under either.
 */
export class RunDirMismatchError extends DrainctlError {
  constructor(dir: string, journaledId: string) {
    super(
      'RUN_DIR_MISMATCH',
      `${dir} holds the journal of run ${journaledId} (its plan entry says so), not of the run its name says`,
      {
        hint: `a run directory keeps its run's id as its name: rename it back to ${journaledId} (\`mv ${dir} ${join(dirname(dir), journaledId)}\`), unless a directory of that name is already there`,
        exitCode: ExitCode.invalidInput,
      },
    );
  }
}

/**
 * A run directory whose journal has no entry, or no journal at all: the process stopped before
 * it wrote its plan.
 */
export class RunNeverStartedError extends DrainctlError {
  constructor(runId: string, journal: string, dir: string, missing = false) {
    const holds = missing
      ? `${dir} holds no journal (journal.jsonl)`
      : `its journal ${journal} holds no entry`;
    super(
      'RUN_NEVER_STARTED',
      `run ${runId} never started: ${holds} (the process stopped before it wrote its plan, so it changed no server and no weight)`,
      {
        hint: `there is nothing to show or resume: remove ${dir}; if a lock still names the run, it is stale: \`drainctl run <workflow> --break-lock\` takes it back`,
        exitCode: ExitCode.invalidInput,
      },
    );
  }
}

export class PlanChangedError extends DrainctlError {
  constructor(expected: string, actual: string) {
    super(
      'PLAN_CHANGED',
      `the plan changed since it was approved: sha256 ${actual.slice(0, 12)}…, approved ${expected.slice(0, 12)}…`,
      {
        hint: 'review the new runbook with `drainctl plan`, then approve its sha256',
        exitCode: ExitCode.invalidInput,
      },
    );
  }
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A fleet plan changes vServer group weights, but the run was given no way to reach them (an
 * embedding that passed only a LoadBalancer port): stop before anything changes there.
 */
export class AttachmentsUnavailableError extends FatalRunError {
  constructor(what: string) {
    super('ATTACHMENTS_UNAVAILABLE', `cannot ${what}: this run was given no vServer group access`, {
      hint: 'pass the ServerAttachments port with the engine ports (the composition root does)',
    });
  }
}
