/**
 * The engine: executes a plan exactly, through the ports only.
 *
 *   lifecycle/   starting and resuming runs, runs on disk, stop requests, resume's reconcile
 *                and `--retry`, one unfinished run per balancer
 *   execution/   the executor, each node's sequence, one step, the run's context and stop control
 *   policy/      pure decision tables: node state machine, failure policy, gates, drift,
 *                compliance verdict, reachability, servers left at weight 0
 *   steps/       one handler and (where it can be undone) one compensation per plan action
 *   journal/     entries, the write-ahead journal and its store, the state folded from it
 *   lock/        the per-balancer lock: a file and a tag on the balancer
 *   reporting/   the run report, status, what is out of service now, a journal that fails
 *
 * Must not call an SDK, read the environment or print: adapters come in as ports, the CLI does
 * the talking. Must not import (lint-enforced): adapters, probes, src/app, src/cli, the demo, the
 * emulator, or the workflow — it executes the plan. policy/ stays pure: no node:* module, and of
 * the engine only policy/ and the journal's entry types and state fold.
 */

export * from './engine-errors.js';
export type { EnginePorts } from './engine-ports.js';
export { executePlan } from './execution/executor.js';
export type { JournalEntry, RunApproval, RunOutcome } from './journal/entries.js';
export { Journal, type JournalOptions } from './journal/journal.js';
export {
  applyEntry,
  foldJournal,
  initialRunState,
  type NodeRecord,
  type RunState,
} from './journal/run-state.js';
export {
  FileJournalStore,
  type JournalStore,
  MemoryJournalStore,
  parseJournal,
} from './journal/store.js';
export { CRASH_AT_SEQ_ENV, crashHookFromEnv } from './lifecycle/crash-hook.js';
export { RetryRefusedError } from './lifecycle/retry-nodes.js';
export {
  checkRunId,
  journalPath,
  latestRun,
  listRuns,
  newRunId,
  runDir,
} from './lifecycle/run-dir.js';
export {
  type DrainProgressEvent,
  type EngineOptions,
  type ResumeOptions,
  type RunResult,
  resumeRun,
  type StartOptions,
  startRun,
} from './lifecycle/runner.js';
export {
  assertNoUnfinishedRun,
  describeUnfinishedRun,
  findUnfinishedRun,
  listUnfinishedRuns,
  type UnfinishedRun,
  UnfinishedRunError,
  UnreadableRunError,
} from './lifecycle/unfinished-runs.js';
export {
  BalancerLock,
  lockKeyForName,
  lockPath,
  readLock,
  staleness,
} from './lock/balancer-lock.js';
export { liveRunIds, outOfServiceNow } from './reporting/live-runs.js';
export { type Recovery, recoveryOf } from './reporting/recovery.js';
export {
  buildReport,
  describeWeight,
  formatReport,
  type NodeReport,
  type RunReport,
  type WeightInFlight,
} from './reporting/report.js';
export { eventsOf, type RunEventTracker, runEventTracker } from './reporting/run-events.js';
export {
  type AbortResult,
  type RunStatus,
  readRunJournal,
  readRunStatus,
  requestAbort,
} from './reporting/run-status.js';
