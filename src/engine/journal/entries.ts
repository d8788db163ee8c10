/**
 * The journal's entry types (a contract: docs/design.md §3): one JSON object per line,
 * `{"seq","ts","type","node"?, …}`. The first entry holds the plan and its sha256. Every
 * mutation is an `intent` (with the state before it) written before it is sent and a `result`
 * written after it is confirmed, matched by `opId`. Everything is redacted before it is written.
 */
import type { Plan } from '../../plan/types.js';
import type { FailureOutcome, LeftOutReason, NodeState } from '../policy/node-machine.js';

interface Base {
  seq: number;
  /** ISO wall-clock time of writing. */
  ts: string;
  node?: string;
}

export interface PlanEntry extends Base {
  type: 'plan';
  runId: string;
  sha256: string;
  plan: Plan;
  /** True when redaction changed the plan (a secret in a command): resume re-plans to get it back. */
  redacted: boolean;
  pid: number;
  host: string;
  /**
   * The drainctl version that wrote it. Beside the plan, not in it: the plan's sha256 must not
   * change with the version that computes it. Optional: versions before it was journaled did
   * not write it, and their journals must still be read (and resumed).
   */
  drainctlVersion?: string;
  /**
   * Who asked for the run when it was not the person at the terminal: the API token's name
   * (`api:ops-oncall`). Optional, like `drainctlVersion`.
   */
  startedBy?: string;
  /**
   * ISO instant after which no server of this run starts its drain (a schedule's window closing).
   * Beside the plan, not in it: the same plan every night keeps the same sha256. Optional.
   */
  drainsEndAt?: string;
  /**
   * Who approved the run when a second person had to (chat-ops' two-person rule: the platform,
   * user and channel). Optional, like `startedBy`.
   */
  approvedBy?: string;
  /**
   * The approval a scheduled run started under: which schedule, the plan sha256 approved, who
   * approved it and when. Optional; a run started by hand has none.
   */
  approval?: RunApproval;
}

/** An approver's word on a schedule's plan, as journaled with the run it let start. */
export interface RunApproval {
  schedule: string;
  planSha256: string;
  by: string;
  at: string;
}

/** A process picked the run up again (`drainctl resume`). */
export interface ResumeEntry extends Base {
  type: 'resume';
  pid: number;
  host: string;
  /** Who asked for the resume, as `startedBy` (optional). */
  by?: string;
}

export const MUTATION_OPS = [
  'set-weight',
  'lb.create',
  'lb.ensure-listener',
  'lb.add-backends',
  'lb.start-listener',
  'dns.point',
  'run-command',
  'reboot',
  'nginx-upgrade',
  'redis-failover',
  'redis-backup',
] as const;
export type MutationOp = (typeof MUTATION_OPS)[number];

export interface IntentEntry extends Base {
  type: 'intent';
  step: string;
  opId: string;
  op: MutationOp;
  /** What is changed: `{loadBalancerId, serverId}`, `{domain, rr}`, `{instanceId}` … */
  target: Record<string, unknown>;
  /** The state before the change, re-read live right before it (e.g. the original weight). */
  before: Record<string, unknown>;
  /** The state the change asks for. */
  to: Record<string, unknown>;
  /** Set when the change undoes a step (a compensation, steps/compensations.ts). */
  compensates?: Compensates;
}

/**
 * The step a compensation undoes and the undo the runbook printed for it (the text after
 * `undo:`; absent when the plan's step declares none, as in plans built by hand).
 */
export interface Compensates {
  step: string;
  undo?: string;
}

export interface ResultEntry extends Base {
  type: 'result';
  step: string;
  opId: string;
  op: MutationOp;
  /** False when reconciliation found the change never happened. */
  applied: boolean;
  after: Record<string, unknown>;
  /** Written by `resume` from the live state, not by the process that sent the change. */
  reconciled?: boolean;
}

export interface GateEntry extends Base {
  type: 'gate';
  step: string;
  passed: boolean;
  summary: string;
  checks: Array<{ name: string; passed: boolean; detail: string }>;
  /** The re-check inside the drain, right before the weight goes to 0. */
  recheck?: boolean;
}

export interface ProbeEntry extends Base {
  type: 'probe';
  step: string;
  kind: 'drain' | 'error-rate' | 'health';
  outcome: 'drained' | 'timeout' | 'passed' | 'failed' | 'skipped';
  detail: string;
  data?: Record<string, unknown>;
  /** The drain judged again right before the reboot. */
  recheck?: boolean;
}

export interface StepEntry extends Base {
  type: 'step';
  step: string;
  action: string;
  status: 'ok' | 'failed';
  detail: string;
  outcome?: FailureOutcome;
  /** What later steps need: a baseline's output, a verify output, a command's exit code. */
  data?: Record<string, unknown>;
}

export interface NodeStateEntry extends Base {
  type: 'node-state';
  node: string;
  from: NodeState;
  state: NodeState;
  reason?: LeftOutReason;
  outcome?: FailureOutcome;
  detail?: string;
}

export interface NoteEntry extends Base {
  type: 'note';
  message: string;
  /** Something a person must act on: the report lists it under WARNINGS. */
  warning?: boolean;
  /** The step the note is about, when it is about one. */
  step?: string;
  /** A cloud call being retried (throttling…), or gone through after retries: status shows it. */
  cloudRetry?: CloudRetryNote;
  /** A compensation that found nothing to change (undone already, or left as it is) says so. */
  compensates?: Compensates;
  /**
   * The node's step has begun a wait that may last minutes (quiet before its reboot): status
   * shows it under the node until the node moves on or the step ends.
   */
  waiting?: boolean;
  /** The wait is the alert gate's (Prometheus says no server may leave service now). */
  alertGate?: boolean;
}

export interface CloudRetryNote {
  product: string;
  /** The API action: `SetBackendServers`. */
  action: string;
  /** The failure retried (the last one, once recovered). */
  code: string;
  /** Requests sent so far. */
  attempts: number;
  /** When the call's first attempt was sent (ISO). */
  since: string;
  /** The call went through: this step's retries are over. */
  recovered?: boolean;
}

export interface HaltEntry extends Base {
  type: 'halt';
  reason: string;
}

export interface AbortRequestedEntry extends Base {
  type: 'abort-requested';
  source: string;
}

/**
 * `drainctl resume --retry`: a node that ended rolled back or left out is carried through its
 * sequence again, starting from what was observed live right before (weight, health).
 */
export interface RetryEntry extends Base {
  type: 'retry';
  node: string;
  from: NodeState;
  /** Its live weight on the balancer, read right before. */
  weight: number;
  /** The balancer's health view of it, read right before (`normal`, `abnormal`, `unknown`). */
  health: string;
  /** A fleet server's live weight on each attachment, by attachment key, read right before. */
  attachmentWeights?: Record<string, number>;
}

export const RUN_OUTCOMES = ['completed', 'halted', 'failed'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

export interface DoneEntry extends Base {
  type: 'done';
  outcome: RunOutcome;
  summary: string;
}

export type JournalEntry =
  | PlanEntry
  | ResumeEntry
  | IntentEntry
  | ResultEntry
  | GateEntry
  | ProbeEntry
  | StepEntry
  | NodeStateEntry
  | NoteEntry
  | HaltEntry
  | AbortRequestedEntry
  | RetryEntry
  | DoneEntry;

/** An entry before the journal numbers and stamps it. */
export type NewEntry = JournalEntry extends infer E
  ? E extends JournalEntry
    ? Omit<E, 'seq' | 'ts'>
    : never
  : never;
