/**
 * Storage shared by several `drainctl serve` replicas (a database): run journals, balancer
 * leases and schedule state. Without it everything lives in files under DRAINCTL_HOME. The
 * port deals in journal lines and plain records; what a line means stays in the engine.
 */

/** The lease a run holds on one balancer key, as a mutation proves it. */
export interface LeaseFence {
  key: string;
  /** Larger for every new holder of any key: a stale holder's token is never current again. */
  token: number;
}

/** Who holds (or held) a lease, for messages and `status`. */
export interface LeaseHolder {
  key: string;
  runId: string;
  host: string;
  pid: number;
  token: number;
  acquiredAt: string;
  /** ISO instant the lease ends unless renewed. */
  expiresAt: string;
}

export interface LeaseRequest {
  key: string;
  runId: string;
  host: string;
  pid: number;
  ttlMs: number;
  /** Take a lease whose holder is still within its term (the operator said so: --break-lock). */
  steal?: boolean;
}

export type LeaseAnswer = { taken: LeaseFence } | { heldBy: LeaseHolder };

export interface LeaseStore {
  /** Take the key's lease when it is free or has expired, or say who holds it. */
  acquire(request: LeaseRequest): Promise<LeaseAnswer>;
  /** Extend the lease by `ttlMs` from the database's now; false when the token is no longer current. */
  renew(fence: LeaseFence, ttlMs: number): Promise<boolean>;
  /** Whether the token is still the key's current, unexpired lease. */
  holds(fence: LeaseFence): Promise<boolean>;
  /** The key's lease, expired or not. */
  read(key: string): Promise<LeaseHolder | undefined>;
  /** Give the lease up if the token is still current. */
  release(fence: LeaseFence): Promise<void>;
}

/** One run's journal as lines, each entry's JSON with its sequence number. */
export interface JournalLines {
  /** Every line, in sequence order. */
  read(): Promise<string[]>;
  /**
   * Append entry `seq` only while every fence is current and unexpired. `superseded`: the seq is
   * taken (another writer) or a fence is not current (the lease went to another holder).
   */
  append(
    seq: number,
    line: string,
    fences: readonly LeaseFence[],
  ): Promise<'appended' | 'superseded'>;
  describe(): string;
}

/**
 * Token buckets every replica draws from (GCRA): the account's API rate limits are the account's,
 * not one process's.
 */
export interface RateBuckets {
  /**
   * Reserve the next send of `key` in a bucket of `capacity` calls refilled one per `intervalMs`;
   * resolves with how long to wait (ms, 0 or more) before sending.
   */
  reserve(key: string, intervalMs: number, capacity: number): Promise<number>;
}

/** `drainctl abort`'s request to stop a run, left for whichever replica executes it. */
export interface AbortRequestRecord {
  requestedAt: string;
  by: string;
}

/** Requests to stop runs, one per run, answered once by the replica that runs it. */
export interface AbortRequests {
  /** Leave the request unless one is pending for the run already; the pending one otherwise. */
  request(runId: string, record: AbortRequestRecord): Promise<AbortRequestRecord | undefined>;
  /** The run's pending request, taken: a later resume does not stop on it again. */
  take(runId: string): Promise<AbortRequestRecord | undefined>;
}

/**
 * Chat deliveries claimed by every replica (a message two replicas receive is acted on once):
 * the shape of the chat's replay guard.
 */
export interface DeliveryClaims {
  /** True the first time `key` is claimed; false while an earlier claim of it lives. Atomic. */
  claim(key: string, nowMs: number, ttlMs: number): Promise<boolean>;
}

/** One chat approval request as stored: its JSON text (what chat keeps) and its version. */
export interface ApprovalRecord {
  runId: string;
  /** 1 when asked; one more at every change, so a change can say which version it replaces. */
  version: number;
  json: string;
  pending: boolean;
}

/**
 * Chat approval requests every replica reads and decides: asked through one replica, approved
 * through another. Every change is a compare-and-set on the version, so of two decisions sent at
 * once to two replicas exactly one is stored.
 */
export interface ApprovalRecords {
  read(runId: string): Promise<ApprovalRecord | undefined>;
  /** The requests still pending, oldest first. */
  pending(): Promise<ApprovalRecord[]>;
  /** Store a new request (version 1); false when the run id has one already. */
  create(runId: string, json: string, pending: boolean): Promise<boolean>;
  /**
   * Replace version `version` of the request (it becomes `version + 1`); false when it is no
   * longer that version (another change came first).
   */
  replace(runId: string, version: number, json: string, pending: boolean): Promise<boolean>;
  /** Remove the requests decided (no longer pending) more than `keptMs` ago. */
  prune(keptMs: number): Promise<void>;
}

export interface SharedStorage {
  /** Where it is, for messages (never with a password). */
  describe(): string;
  journal(runId: string): JournalLines;
  /** Run ids with at least one journal line, oldest first. */
  listRuns(): Promise<string[]>;
  /** Run ids whose journal has no `done` entry (running, or interrupted), oldest first. */
  unfinishedRuns(): Promise<string[]>;
  leases: LeaseStore;
  rateBuckets: RateBuckets;
  abortRequests: AbortRequests;
  deliveryClaims: DeliveryClaims;
  approvals: ApprovalRecords;
  /** Schedule state records as JSON text by schedule name. */
  loadScheduleState(schedule: string): Promise<string | undefined>;
  saveScheduleState(schedule: string, json: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The job engine's queue for schedules (replicas only): each replica offers every schedule on
 * every tick; offers of one schedule in one tick are one job, and each job is worked by exactly
 * one replica.
 */
export interface ScheduleQueue {
  /** Offer `schedule` for tick `tick` (a number every replica computes alike from the time). */
  offer(schedule: string, tick: number): Promise<void>;
  /** Work offered schedules on this replica until `stop`. */
  work(handler: (schedule: string) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}
