/**
 * The `abort` use case: ask a running run to stop after its current step (it ends halted, every
 * node serving or reported).
 */
import { type AbortResult, requestAbort } from '../engine/index.js';

export interface AbortOptions {
  /** DRAINCTL_HOME. */
  home: string;
  runId: string;
  /** Who asks, as the run journals it; default `$USER@host`. */
  by?: string;
}

export function abortRun(options: AbortOptions): Promise<AbortResult> {
  return requestAbort(options.home, options.runId, options.by);
}
