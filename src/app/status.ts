/** The `status` use case: a run, node by node (default: the latest run). Reads only. */
import { type RunStatus, readRunStatus } from '../engine/index.js';

export interface StatusOptions {
  /** DRAINCTL_HOME. */
  home: string;
  /** Default: the latest run. */
  runId?: string;
}

export function runStatus(options: StatusOptions): Promise<RunStatus> {
  return readRunStatus(options.home, options.runId);
}
