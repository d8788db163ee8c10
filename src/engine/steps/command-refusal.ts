/**
 * Telling "the cloud refused to run the command" from "the command may have run". Only a
 * definite answer of the API to the call that starts the command — RunCommand, a 4xx, not to be
 * retried, to its one and only attempt — proves nothing reached the host. A timeout, a 5xx or
 * retries given up on may have started it; so may an earlier attempt of a call whose retry was
 * refused (RunCommand is resent after a timeout: an STS token that expired during the backoff
 * answers the resend 403 while the first send may be running the patch). An error that does not
 * say how many attempts were made proves nothing either, and an SSH or local host failing says
 * nothing about the API at all.
 */
import { CloudApiError } from '../../errors/index.js';

/** The action of Cloud Assistant that starts a command on an instance. */
export const RUN_COMMAND_ACTION = 'RunCommand';

export function refusedBeforeRunning(error: unknown): error is CloudApiError {
  return (
    error instanceof CloudApiError &&
    error.action === RUN_COMMAND_ACTION &&
    !error.retryable &&
    error.attempts === 1 &&
    error.httpStatus !== undefined &&
    error.httpStatus >= 400 &&
    error.httpStatus < 500
  );
}
