/**
 * What every command gets: the environment, the logger, stdout, stderr. Built once in main.ts.
 */
import type { DrainctlEnvironment } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { Output } from './output.js';

export interface CliContext {
  /** Read lazily: a bad variable is only an error for commands that use it. */
  environment(): DrainctlEnvironment;
  logger: Logger;
  stdout: Output;
  stderr: Output;
  verbose: boolean;
  /** Aborted on SIGINT/SIGTERM: commands finish or undo their current step, then return. */
  signal: AbortSignal;
  /**
   * A non-zero outcome that is not an error: halted (2), drain timeout (4), failed checklist.
   * Errors are thrown instead, and mapped to their exit code in one place.
   */
  setExitCode(code: number): void;
}
