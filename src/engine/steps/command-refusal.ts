/**
 * Telling "the cloud refused to run the command" from "the command may have run". Only a
 * definite answer of the API to the call that starts the command — RunCommand, a 4xx, not to be
 * retried — proves nothing reached the host. A timeout, a 5xx or retries given up on may have
 * started it, and an SSH or local host failing says nothing about the API at all.
 */
import { CloudApiError } from '../../errors/index.js';

/** The action of Cloud Assistant that starts a command on an instance. */
export const RUN_COMMAND_ACTION = 'RunCommand';

export function refusedBeforeRunning(error: unknown): error is CloudApiError {
  return (
    error instanceof CloudApiError &&
    error.action === RUN_COMMAND_ACTION &&
    !error.retryable &&
    error.httpStatus !== undefined &&
    error.httpStatus >= 400 &&
    error.httpStatus < 500
  );
}
