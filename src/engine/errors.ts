/**
 * The engine's typed errors. `FatalRunError`s stop the executor at once, without cleanup that
 * would mutate: when the journal cannot be written, nothing may be changed without its intent.
 */
import { DrainctlError, type DrainctlErrorOptions, ExitCode } from '../errors/index.js';

export class FatalRunError extends DrainctlError {}

export class JournalWriteError extends FatalRunError {
  constructor(path: string, cause: unknown) {
    super('JOURNAL_WRITE_FAILED', `cannot write the run journal ${path}: ${message(cause)}`, {
      cause,
      hint: 'nothing more was changed; fix the disk, then `drainctl resume <run-id>`',
    });
  }
}

export class LockHeldError extends DrainctlError {
  constructor(
    readonly key: string,
    readonly holder: {
      runId: string;
      pid: number;
      host: string;
      ageSeconds: number;
      stale: boolean;
    },
    options: DrainctlErrorOptions = {},
  ) {
    super(
      'LOCK_HELD',
      `load balancer ${key} is held by run ${holder.runId} (pid ${holder.pid} on ${holder.host}, heartbeat ${holder.ageSeconds}s ago${holder.stale ? ', looks stale' : ''})`,
      {
        hint: holder.stale
          ? `if run ${holder.runId} is really gone, run again with --break-stale-lock (see \`drainctl status ${holder.runId}\`)`
          : `wait for it, or stop it with \`drainctl abort ${holder.runId}\``,
        ...options,
      },
    );
  }
}

export class LockLostError extends FatalRunError {
  constructor(key: string, detail: string) {
    super('LOCK_LOST', `the lock on ${key} was taken from this run: ${detail}`, {
      hint: 'another run may be changing the same balancer; check `drainctl status`',
    });
  }
}

export class RunNotFoundError extends DrainctlError {
  constructor(runId: string, home: string) {
    super('RUN_NOT_FOUND', `no run ${runId} in ${home}/runs`, {
      hint: 'list runs with `drainctl status`; DRAINCTL_HOME must be the same as for the run',
      exitCode: ExitCode.invalidInput,
    });
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
