/**
 * The `abort` use case: ask a running run to stop after its current step (it ends halted, every
 * node serving or reported).
 */
import { type AbortResult, requestAbort } from '../engine/index.js';
import type { SharedStorage } from '../ports/index.js';

export interface AbortOptions {
  /** DRAINCTL_HOME. */
  home: string;
  runId: string;
  /** Who asks, as the run journals it; default `$USER@host`. */
  by?: string;
  /** The run is in the database replicas share: the request is left there for its replica. */
  shared?: SharedStorage;
}

export function abortRun(options: AbortOptions): Promise<AbortResult> {
  return requestAbort(options.home, options.runId, options.by, options.shared);
}
