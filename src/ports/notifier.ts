/**
 * Telling people what happened (chat rooms, webhooks): the events, as plain data. The engine
 * never sends: src/app reads them from the journal (engine/reporting/run-events.ts) and hands
 * them to src/notify, whose failures never change the outcome of a run.
 */

/**
 * What drainctl tells people, one kind per thing that happened (a run's journal, a schedule, the
 * alert gate). Plain data: each platform renders it, and a channel's `events` picks kinds.
 */
export type NotifyEvent =
  | PlannedEvent
  | StartedEvent
  | NodeDoneEvent
  | NodeLeftOutEvent
  | HaltedEvent
  | AbortedEvent
  | FinishedEvent
  | ApprovalNeededEvent
  | ScheduleSkippedEvent
  | AlertGateBlockingEvent;

export type NotifyEventKind = NotifyEvent['kind'];

interface EventBase {
  workflow: string;
  /** ISO time it happened. */
  at: string;
}

/** A plan was made for a run about to start (a schedule's, before it waits or starts). */
export interface PlannedEvent extends EventBase {
  kind: 'planned';
  planSha256: string;
  nodes: string[];
  schedule?: string;
}

export interface StartedEvent extends EventBase {
  kind: 'started';
  runId: string;
  planSha256: string;
  nodes: string[];
  /** Picked up again by `drainctl resume` (or its server equivalent). */
  resumed: boolean;
}

export interface NodeDoneEvent extends EventBase {
  kind: 'node-done';
  runId: string;
  node: string;
  /** The verify output before the patch and after it (`uname -r`). */
  before?: string;
  after?: string;
}

export interface NodeLeftOutEvent extends EventBase {
  kind: 'node-left-out';
  runId: string;
  node: string;
  reason: string;
  detail?: string;
}

export interface HaltedEvent extends EventBase {
  kind: 'halted';
  runId: string;
  reason: string;
}

export interface AbortedEvent extends EventBase {
  kind: 'aborted';
  runId: string;
  /** Who asked: a signal, `drainctl abort`, the API. */
  source: string;
}

export interface FinishedEvent extends EventBase {
  kind: 'finished';
  runId: string;
  outcome: 'completed' | 'halted' | 'failed';
  summary: string;
  patched: Array<{ node: string; before?: string; after?: string }>;
  leftOut: Array<{ node: string; reason: string }>;
  durationMs: number;
}

export interface ApprovalNeededEvent extends EventBase {
  kind: 'approval-needed';
  schedule: string;
  planSha256: string;
  /** The plan last approved for this schedule, when there is one. */
  approvedSha256?: string;
}

export interface ScheduleSkippedEvent extends EventBase {
  kind: 'schedule-skipped';
  schedule: string;
  /** `error`: the run could not be planned or started (the detail says why). */
  reason: 'blackout' | 'overlap' | 'plan-changed' | 'missed' | 'alert-gate' | 'error';
  detail: string;
}

export interface AlertGateBlockingEvent extends EventBase {
  kind: 'alert-gate-blocking';
  runId?: string;
  node?: string;
  reason: string;
}
