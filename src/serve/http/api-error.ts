/**
 * An answer other than success, as the API sends it: an HTTP status and a body
 * `{"error": {"code", "message", "path"?, "expected"?, "found"?, "hint"?}}` — the same fields a
 * bad workflow is reported with. DrainctlErrors of the use cases map to a status by their code
 * here, in one table.
 */
import { DrainctlError, ExitCode, InvalidInputError } from '../../errors/index.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Codes of the use cases' refusals that are the caller's to resolve. */
const STATUS_BY_CODE: Record<string, number> = {
  LOCK_HELD: 409,
  UNFINISHED_RUN: 409,
  UNREADABLE_RUN: 409,
  RUN_NOT_RUNNING: 409,
  RUN_FINISHED: 409,
  RETRY_REFUSED: 409,
  RUN_NOT_FOUND: 404,
  NO_RUNS: 404,
  RUN_NEVER_STARTED: 404,
};

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof DrainctlError) {
    const status =
      STATUS_BY_CODE[error.code] ??
      // A catalog workflow that no longer validates: the server's files, not the request.
      (error instanceof InvalidInputError
        ? 422
        : // What the request named is not valid input (a run id that is not one).
          error.exitCode === ExitCode.invalidInput
          ? 400
          : 500);
    return new ApiError(status, error.code, error.message, {
      ...(error instanceof InvalidInputError
        ? {
            ...(error.file === undefined ? {} : { file: error.file }),
            ...(error.path === undefined ? {} : { path: error.path }),
            ...(error.expected === undefined ? {} : { expected: error.expected }),
            ...(error.found === undefined ? {} : { found: error.found }),
          }
        : {}),
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    });
  }
  return new ApiError(500, 'INTERNAL', error instanceof Error ? error.message : String(error));
}
