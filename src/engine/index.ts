/**
 * The engine: executes a plan exactly, through the ports only. Owns sequencing, gates, the node
 * state machine and failure policy, drift checks, the write-ahead journal, the per-balancer
 * lock, stop requests, resume and status. Must not call an SDK, read the environment or print:
 * adapters come in as ports, the CLI does the talking. (observe-inventory.ts, the read-only
 * observation for the planner, belongs to the planner's owner.)
 */

export { CRASH_AT_SEQ_ENV, crashHookFromEnv } from './crash-hook.js';
export * from './errors.js';
export { executePlan } from './executor.js';
export type { JournalEntry, RunOutcome } from './journal/entries.js';
export { Journal, type JournalOptions } from './journal/journal.js';
export {
  FileJournalStore,
  type JournalStore,
  MemoryJournalStore,
  parseJournal,
} from './journal/store.js';
export { liveRunIds, outOfServiceNow } from './live-runs.js';
export {
  BalancerLock,
  lockKeyForName,
  lockPath,
  readLock,
  staleness,
} from './lock/balancer-lock.js';
export type { EnginePorts } from './ports.js';
export {
  buildReport,
  describeWeight,
  formatReport,
  type NodeReport,
  type RunReport,
  type WeightInFlight,
} from './report.js';
export { RetryRefusedError } from './retry-nodes.js';
export { checkRunId, journalPath, latestRun, listRuns, runDir } from './run-dir.js';
export { foldJournal, type NodeRecord, type RunState } from './run-state.js';
export {
  type EngineOptions,
  type ResumeOptions,
  type RunResult,
  resumeRun,
  type StartOptions,
  startRun,
} from './runner.js';
export { type AbortResult, type RunStatus, readRunStatus, requestAbort } from './status.js';
export {
  assertNoUnfinishedRun,
  findUnfinishedRun,
  type UnfinishedRun,
  UnfinishedRunError,
  UnreadableRunError,
} from './unfinished-runs.js';
