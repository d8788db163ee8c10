/**
 * The application core: the use cases every entry point calls — the CLI now, the library
 * (library.ts, re-exported by src/index.ts), and `drainctl serve` next — and the composition root
 * that wires ports to adapters (composition-root.ts). Each use case is a plain async function
 * taking typed options and returning a typed result: it prints nothing, never exits the process
 * and reads no `process.env` but what it is given; failures are DrainctlErrors. Only the
 * composition root imports adapters. Must not import src/cli.
 */

// The demo's view and report, which the CLI renders.
export {
  type DemoReport,
  type DemoTraffic,
  type DemoView,
  demoTrafficLine,
  formatDemoReport,
  renderDemoTraffic,
} from '../demo/index.js';
// What the CLI prints a run with, the crash tests' hook it passes on, and the check of a run id
// a person typed: the engine's, handed through so that the CLI needs no import of the engine.
export {
  type AbortResult,
  applyEntry,
  checkRunId,
  crashHookFromEnv,
  type DrainProgressEvent,
  describeUnfinishedRun,
  describeWeight,
  eventsOf,
  formatReport,
  initialRunState,
  type JournalEntry,
  type NodeRecord,
  newRunId,
  type RunApproval,
  type RunEventTracker,
  type RunResult,
  type RunState,
  type RunStatus,
  recoveryOf,
  runEventTracker,
  type UnfinishedRun,
} from '../engine/index.js';
export type { Plan } from '../plan/index.js';
// What a chat approval request shows: the runbook `drainctl plan` prints, from the same plan.
export { renderRunbook } from '../plan/index.js';
export type { Clock, NotifyEvent } from '../ports/index.js';
// The timeline's HTML, which the page of `drainctl serve` is made of.
export {
  escapeHtml,
  renderDocument,
  renderTimeline,
  type Timeline,
} from '../report/index.js';
export { type AbortOptions, abortRun } from './abort.js';
export {
  openReplicaStorage,
  openSharedStorage,
  type ReplicaStorage,
  type RunWiring,
  sshPassphraseFrom,
  systemClock,
  withObservationBuckets,
  withRunStorage,
} from './composition-root.js';
export { DEMO_WORKFLOW, type DemoOptions, runDemo } from './demo.js';
export {
  type Emulator,
  type EmulatorOptions,
  type ExampleReceivers,
  startExampleReceivers,
  startLocalEmulator,
} from './emulator.js';
export { type InspectOptions, type InspectReport, inspectWorkflowFile } from './inspect.js';
export type { CheckLine, CheckStatus } from './inspect-checklist.js';
export { outOfServiceNow } from './out-of-service.js';
export {
  type PlannedWorkflow,
  type PlanWorkflowOptions,
  planAnyWorkflowFile,
  planWithFirst,
  planWorkflowFile,
  recoverPlan,
  workflowPathForPlan,
} from './plan.js';
export { type ResumeOptions, resumeRunById } from './resume.js';
export { type RunPlanOptions, refuseUnlessApproved, runPlan } from './run.js';
export {
  composeAfterAppend,
  notifyChannelLines,
  notifySpecBesides,
  notifySpecOfRun,
  type RunNotifications,
  runNotifications,
} from './run-notifications.js';
export {
  type ReportOptions,
  type RunTimelineOptions,
  reportRun,
  runTimeline,
} from './run-report.js';
export {
  listSchedules,
  type ScheduledOccurrences,
  type ScheduleList,
  type ScheduleListOptions,
} from './schedule-list.js';
export { loadScheduleSection, type ScheduleSection } from './schedule-section.js';
export { orphanedRuns, recentRuns, unfinishedRuns } from './serve-runs.js';
export { runJournal, runStatus, type StatusOptions } from './status.js';
export {
  type AccessLogProgress,
  checkLogFormat,
  type DrainTimeline,
  formatProgressLine,
  ProgressCadence,
  SLB_HEALTH_CHECK_CIDR,
  type WatchOptions,
  type WatchResult,
  type WatchSettings,
  watchAccessLog,
} from './watch.js';
export { loadWorkflow, readWorkflowText } from './workflow-file.js';
