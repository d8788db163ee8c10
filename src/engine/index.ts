/**
 * The engine: executes a plan exactly, through the ports only. Owns sequencing, gates, the node
 * state machine and failure policy, drift checks, the write-ahead journal, the per-balancer
 * lock, stop requests, resume and status. Must not call an SDK, read the environment or print:
 * adapters come in as ports, the CLI does the talking. (observe-inventory.ts, the read-only
 * observation for the planner, belongs to the planner's owner.)
 */

export * from './engine-errors.js';
export type { EnginePorts } from './engine-ports.js';
export { executePlan } from './execution/executor.js';
export type { JournalEntry, RunOutcome } from './journal/entries.js';
export { Journal, type JournalOptions } from './journal/journal.js';
export { foldJournal, type NodeRecord, type RunState } from './journal/run-state.js';
export {
  FileJournalStore,
  type JournalStore,
  MemoryJournalStore,
  parseJournal,
} from './journal/store.js';
export { CRASH_AT_SEQ_ENV, crashHookFromEnv } from './lifecycle/crash-hook.js';
export { RetryRefusedError } from './lifecycle/retry-nodes.js';
export { journalPath, latestRun, listRuns, runDir } from './lifecycle/run-dir.js';
export {
  type EngineOptions,
  type ResumeOptions,
  type RunResult,
  resumeRun,
  type StartOptions,
  startRun,
} from './lifecycle/runner.js';
export {
  assertNoUnfinishedRun,
  findUnfinishedRun,
  type UnfinishedRun,
  UnfinishedRunError,
} from './lifecycle/unfinished-runs.js';
export {
  BalancerLock,
  lockKeyForName,
  lockPath,
  readLock,
  staleness,
} from './lock/balancer-lock.js';
export { liveRunIds, outOfServiceNow } from './reporting/live-runs.js';
export {
  buildReport,
  describeWeight,
  formatReport,
  type NodeReport,
  type RunReport,
  type WeightInFlight,
} from './reporting/report.js';
export {
  type AbortResult,
  type RunStatus,
  readRunStatus,
  requestAbort,
} from './reporting/run-status.js';
