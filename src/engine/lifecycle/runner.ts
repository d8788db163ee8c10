/**
 * Starting and resuming runs: the lock, the journal on disk, stop requests (signals and
 * `drainctl abort`), then the executor. What the CLI and the programmatic API call.
 */
import { rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { DRAINCTL_VERSION } from '../../config/index.js';
import { DrainctlError, ExitCode } from '../../errors/index.js';
import { getLogger, type Logger } from '../../log/index.js';
import { hashPlan } from '../../plan/plan-hash.js';
import type { Plan } from '../../plan/types.js';
import type { DrainProgress, SharedStorage } from '../../ports/index.js';
import { JournalWriteError, LockLostError, message } from '../engine-errors.js';
import type { EnginePorts } from '../engine-ports.js';
import { executePlan } from '../execution/executor.js';
import { journalCloudRetries } from '../execution/retry-notes.js';
import { createRunContext, type RunContext } from '../execution/run-context.js';
import { abortedBy, Mutex } from '../execution/run-control.js';
import type { RunApproval, RunOutcome } from '../journal/entries.js';
import { Journal, type JournalOptions } from '../journal/journal.js';
import { applyEntry, foldJournal, initialRunState, type RunState } from '../journal/run-state.js';
import { type FenceSource, SharedJournalStore } from '../journal/shared-journal-store.js';
import { FileJournalStore, type JournalStore } from '../journal/store.js';
import { recordLockLost } from '../lock/lock-lost.js';
import { RunLocks } from '../lock/run-locks.js';
import { journalWriteFailure } from '../reporting/journal-failure.js';
import { trackLiveRun } from '../reporting/live-runs.js';
import { buildReport, type RunReport } from '../reporting/report.js';
import { sha256Hex } from '../sha256.js';
import { reconcile } from './reconcile.js';
import { checkRetryable, retryNodes } from './retry-nodes.js';
import { abortRequestPath, journalPath, newRunId, noEntriesError, runDir } from './run-dir.js';
import { watchStopRequests } from './stop-requests.js';
import { assertNoUnfinishedRun, resumeRatherThanBreak } from './unfinished-runs.js';

export interface EngineOptions {
  /** `DRAINCTL_HOME`: runs and locks live here. */
  home: string;
  ports: EnginePorts;
  logger?: Logger;
  /** Aborted on SIGINT/SIGTERM: the run stops safely and ends halted. */
  signal?: AbortSignal;
  /** Take over a lock whose holder this host cannot prove alive (`--break-lock`). */
  breakStaleLock?: boolean;
  journal?: JournalOptions;
  /** Who asked for the run or its resume when not the terminal's user (journaled). */
  by?: string;
  /** Journal storage; default the file under `home` (tests pass a memory store). */
  store?: JournalStore;
  /**
   * Journals and balancer locks in storage several replicas share (DRAINCTL_DATABASE_URL): the
   * locks are leases with fencing tokens, and every journal line is written under them.
   */
  shared?: SharedStorage;
  /** How long a lease in shared storage lasts unless renewed (default 30 s). */
  leaseTtlMs?: number;
  /**
   * Aborted when this replica stops and another is to continue the run: nothing more is changed
   * or journaled from the next intent on, no `done` is written, and the leases are released so
   * another replica resumes the run from the journal at once (reconciling as `resume` does).
   */
  handover?: AbortSignal;
  /** How often the abort-request file is looked for. */
  abortPollMs?: number;
  lockStaleAfterMs?: number;
  heartbeatMs?: number;
  /**
   * After tagging the balancer, wait this long and read the tag again before changing anything
   * (default 1500 ms; see docs/engine.md §3). 0 only where no other run can write the tag.
   */
  lockSettleMs?: number;
  /** Lock in files under `home` (default) or not at all (in-memory tests of the executor). */
  locking?: boolean;
  /**
   * Told, about once a second, how a drain wait stands (requests per second, quiet so far): what
   * a live page shows while a server drains. Not journaled: it is gone once the wait ends, and
   * the journal keeps the drain's outcome with its totals.
   */
  onDrainProgress?: (event: DrainProgressEvent) => void;
}

/** A drain wait's progress, for whoever watches the run live. */
export interface DrainProgressEvent extends DrainProgress {
  runId: string;
  node: string;
}

export interface RunResult {
  runId: string;
  outcome: RunOutcome;
  /** 0 completed, 2 halted in a safe state, 1 failed. */
  exitCode: number;
  report: RunReport;
  state: RunState;
}

export interface StartOptions extends EngineOptions {
  runId?: string;
  /** Who approved the run when a second person had to (journaled in the plan entry). */
  approvedBy?: string;
  /**
   * Start even though the latest earlier run on this balancer halted, failed or was
   * interrupted (else `UNFINISHED_RUN`). That run stays as it is; the new one journals a note.
   */
  newRun?: boolean;
  /**
   * ISO instant: no server starts its drain at or after it; the run then halts cleanly and
   * names the servers it did not reach (a schedule's window). Journaled beside the plan.
   */
  drainsEndAt?: string;
  /** The schedule approval the run starts under, journaled beside the plan. */
  approval?: RunApproval;
}

/** Execute a plan as a new run. */
export async function startRun(plan: Plan, options: StartOptions): Promise<RunResult> {
  const { clock } = options.ports;
  if (hashPlan(plan, sha256Hex) !== plan.sha256) {
    throw new DrainctlError(
      'PLAN_ALTERED',
      'the plan does not match its own sha256: it was changed after planning',
      {
        hint: 'execute plans exactly as the planner made them; re-plan instead of editing one',
        exitCode: ExitCode.invalidInput,
      },
    );
  }
  const runId = options.runId ?? newRunId(clock.now());
  const locks = await acquireLocks(plan, runId, undefined, options).catch(
    async (error: unknown) => {
      // A crashed run's lock: point at `resume`, unless a new run was asked for (--new-run).
      throw options.newRun === true
        ? error
        : await resumeRatherThanBreak(error, options.home, plan, {
            exceptRunId: runId,
            ...(options.shared ? { shared: options.shared } : {}),
            ...(options.logger ? { logger: options.logger } : {}),
          });
    },
  );
  try {
    // Under the lock: no run on this balancer can start or be resumed while we look.
    const setAside = await assertNoUnfinishedRun(options.home, plan, {
      exceptRunId: runId,
      ...(options.shared ? { shared: options.shared } : {}),
      newRun: options.newRun === true,
    });
    const waited = sayWaited();
    const journal = await Journal.open(
      storeFor(options, runId, locks, waited.told),
      clock,
      options.journal,
    );
    waited.journal = journal;
    const entry = await journal
      .append({
        type: 'plan',
        runId,
        sha256: plan.sha256,
        plan,
        redacted: false,
        pid: process.pid,
        host: hostname(),
        drainctlVersion: DRAINCTL_VERSION,
        ...(options.by === undefined ? {} : { startedBy: options.by }),
        ...(options.drainsEndAt === undefined ? {} : { drainsEndAt: options.drainsEndAt }),
        ...(options.approvedBy === undefined ? {} : { approvedBy: options.approvedBy }),
        ...(options.approval === undefined ? {} : { approval: options.approval }),
      })
      .catch(async (error: unknown) => {
        if (!(error instanceof JournalWriteError)) throw error;
        await journal.close().catch(() => undefined);
        // Nothing was changed: leave no run behind that `status` would list as the latest.
        if (options.store === undefined && options.shared === undefined) {
          await rm(runDir(options.home, runId), { recursive: true, force: true }).catch(
            (cleanup: unknown) =>
              (options.logger ?? getLogger()).warn(
                { err: cleanup },
                `could not remove ${runDir(options.home, runId)}: ${message(cleanup)}`,
              ),
          );
        }
        throw journalWriteFailure(error, undefined, runId, []);
      });
    if (entry.type !== 'plan') throw new Error('unreachable');
    // In process the executor uses the plan as given; the journal holds its redacted form.
    const state = initialRunState({ ...entry, plan });
    for (const line of setAside) {
      const note = `started with --new-run: ${line}`;
      applyEntry(state, await journal.append({ type: 'note', message: note }));
    }
    return await execute(journal, state, locks, options);
  } finally {
    await releaseLocks(locks, options);
  }
}

export interface ResumeOptions extends EngineOptions {
  /**
   * The journaled plan had a secret masked (a command with an interpolated secret): give the
   * original back (re-planned from the workflow and the journaled inventory, same sha256).
   */
  recoverPlan?: (journaled: Plan) => Promise<Plan>;
  /**
   * Nodes (instance ids) that ended rolled back or left out, to carry through their sequence
   * again: each is re-observed live (weight, health) first. Without it they stay as reported.
   */
  retry?: readonly string[];
}

/** Reconcile a run's journal with the live state, then continue it. */
export async function resumeRun(runId: string, options: ResumeOptions): Promise<RunResult> {
  const { clock } = options.ports;
  const store = storeFor(options, runId);
  // Read only (no repair) to learn which balancer to lock: nothing is written, not even a torn
  // tail cut, before this process holds the lock.
  const peeked = await store.read();
  if (peeked.length === 0) throw await noEntriesError(options.home, runId);
  const known = foldJournal(peeked);
  refuseFinished(runId, known);
  const locks = await acquireLocks(known.plan, runId, known.refs.loadBalancerId, options);
  try {
    const waited = sayWaited();
    const journal = await Journal.open(
      storeFor(options, runId, locks, waited.told),
      clock,
      options.journal,
    );
    waited.journal = journal;
    const state = foldJournal(journal.takeOpened());
    refuseFinished(runId, state);
    // A created balancer's id journaled after the peek (its holder died just then) is locked too.
    if (state.refs.loadBalancerId !== undefined && options.locking !== false) {
      await locks.add(state.refs.loadBalancerId);
    }
    await checkJournaledPlan(runId, state, options);
    checkRetryable(state, options.retry ?? []);
    // An abort asked for while no process ran is answered by this resume, not carried into it.
    await rename(
      abortRequestPath(options.home, runId),
      `${abortRequestPath(options.home, runId)}.handled`,
    ).catch(() => undefined);
    return await execute(journal, state, locks, options, true, options.retry ?? []);
  } finally {
    await releaseLocks(locks, options);
  }
}

function refuseFinished(runId: string, state: RunState): void {
  if (state.outcome === 'completed') {
    throw new DrainctlError('RUN_FINISHED', `run ${runId} already completed: nothing to resume`, {
      hint: `see \`drainctl status ${runId}\``,
      exitCode: ExitCode.invalidInput,
    });
  }
}

/**
 * When the run was started by another drainctl than this one: a plan that no longer matches is
 * then most likely this version's doing (its planner, its hash), not the workflow's, and the
 * way on is the version that started it. Journals written before the version was kept have
 * none: they are from an earlier version.
 */
function startedByAnotherVersion(
  runId: string,
  state: RunState,
): { what: string; hint: string } | undefined {
  const theirs = state.drainctlVersion;
  if (theirs === DRAINCTL_VERSION) return undefined;
  const by =
    theirs === undefined
      ? 'an earlier drainctl (its journal names no version)'
      : `drainctl ${theirs}`;
  const finish = theirs === undefined ? 'the drainctl that started it' : `drainctl ${theirs}`;
  return {
    what: `run ${runId} was started by ${by}, and this is drainctl ${DRAINCTL_VERSION}`,
    hint: `finish it with ${finish} (its \`drainctl resume ${runId}\`; Ctrl-C there aborts it like \`drainctl abort\`), or put its nodes back by hand (\`drainctl status ${runId}\` shows where it stands) and set it aside with \`drainctl run <workflow> --new-run\``,
  };
}

/** The journaled plan is intact, or (masked secrets) rebuilt to the very same sha256. */
async function checkJournaledPlan(
  runId: string,
  state: RunState,
  options: ResumeOptions,
): Promise<void> {
  const otherVersion = startedByAnotherVersion(runId, state);
  if (!state.planRedacted && hashPlan(state.plan, sha256Hex) !== state.sha256) {
    throw new DrainctlError(
      'JOURNAL_CORRUPT',
      `run ${runId}'s journaled plan does not match its sha256${otherVersion === undefined ? '' : `: ${otherVersion.what}, which may hash a plan differently`}`,
      {
        hint:
          otherVersion?.hint ??
          `the journal was edited or damaged; finish this run by hand (\`drainctl status ${runId}\` shows where it stands)`,
      },
    );
  }
  if (state.planRedacted) {
    if (options.recoverPlan === undefined) {
      throw new DrainctlError('PLAN_REDACTED', `run ${runId}'s journaled plan has masked secrets`, {
        hint: 'resume with the workflow file available so the plan can be rebuilt',
      });
    }
    const original = await options.recoverPlan(state.plan);
    if (original.sha256 !== state.sha256) {
      throw new DrainctlError(
        'PLAN_CHANGED',
        `the rebuilt plan differs from run ${runId}'s (sha256)${otherVersion === undefined ? '' : `: ${otherVersion.what}, whose planner may make another plan from the same workflow`}`,
        {
          hint:
            otherVersion?.hint ??
            `the workflow or its environment changed since the run started: resume with the file and the \${VAR} values it started with, or finish by hand (\`drainctl status ${runId}\` shows where it stands)`,
        },
      );
    }
    state.plan = original;
    state.stepsById = new Map(original.steps.map((s) => [s.id, s]));
  }
}

async function execute(
  journal: Journal,
  state: RunState,
  locks: RunLocks,
  options: EngineOptions,
  resuming = false,
  retry: readonly string[] = [],
): Promise<RunResult> {
  const logger = (options.logger ?? getLogger()).child({ run: state.runId });
  const lockGuard = locks.guard;
  const ctx: RunContext = createRunContext({
    ports: options.ports,
    journal,
    state,
    gateMutex: new Mutex(),
    logger,
    onLoadBalancerKnown: (id) => locks.add(id),
    lockGuard,
    ...(options.onDrainProgress === undefined
      ? {}
      : { onDrainProgress: drainProgressFor(state.runId, options.onDrainProgress, logger) }),
  });
  locks.startHeartbeats(
    (error) => {
      if (error instanceof LockLostError) lockGuard.markLost(error);
    },
    // The lock still holds (the checks before every change read it); only its freshness for
    // runs on other hosts sharing this DRAINCTL_HOME is not renewed until the disk recovers.
    (error) => {
      if (error === undefined) logger.info('lock heartbeat renewed again');
      else logger.warn({ err: error }, message(error));
    },
  );
  // However the loss is found (heartbeat, intent check, journal), the run returns at once
  // (below); cutting the waits lets steps in flight wind down, and the guard refuses every later
  // entry and mutation of theirs (no halt, no rollback).
  lockGuard.whenLost().catch((error: Error) => ctx.control.stop('abort', error.message));
  const handOver = () =>
    lockGuard.markLost(
      new LockLostError(
        `run ${state.runId}'s balancer`,
        'handed over: this replica is stopping and another continues the run from its journal',
        state.runId,
      ),
    );
  if (options.handover?.aborted) handOver();
  else options.handover?.addEventListener('abort', handOver, { once: true });
  // A journal that cannot be written stops the run the same way: every change needs its intent
  // on disk first, so nothing more is changed, and the waits of steps in flight are cut.
  journal.whenFailed().catch((error: unknown) => {
    if (error instanceof JournalWriteError) ctx.control.stop('abort', error.message);
  });
  const stops = watchStopRequests(ctx, {
    home: options.home,
    ...(options.shared === undefined ? {} : { abortRequests: options.shared.abortRequests }),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.abortPollMs === undefined ? {} : { pollMs: options.abortPollMs }),
  });
  const untrack = trackLiveRun(state);
  const stopRetryNotes = journalCloudRetries(ctx);

  let outcome: RunOutcome;
  try {
    if (resuming) {
      await ctx.record({
        type: 'resume',
        pid: process.pid,
        host: hostname(),
        ...(options.by === undefined ? {} : { by: options.by }),
      });
      const notes = await reconcile(ctx);
      if (notes.length > 0) {
        await ctx.record({ type: 'note', message: `reconciled: ${notes.join('; ')}` });
      }
      await retryNodes(ctx, retry);
      // It crashed while stopping: finish the stop the way the crashed process would have — an
      // abort as an abort (drains in progress are undone, not carried on into a patch).
      if (state.abortRequested !== undefined) {
        await ctx.stop('abort', state.halt ?? abortedBy(state.abortRequested));
      } else if (state.halt !== undefined) {
        ctx.control.stop('halt', state.halt);
      }
    }
    stops.checkNow();
    const executing = executePlan(ctx);
    executing.catch(() => undefined); // when the lock is lost first, nobody awaits it any more
    const lost = lockGuard.whenLost();
    lost.catch(() => undefined); // a loss noticed after the run ended is nobody's to await
    // Like a lost lock, a journal that failed returns at once: a change sent meanwhile is in
    // doubt either way (its result cannot be written), and `resume` reads it back.
    const unwritable = journal.whenFailed();
    unwritable.catch(() => undefined);
    outcome = await Promise.race([executing, lost, unwritable]);
    if (lockGuard.lost) throw lockGuard.lost;
  } catch (caught) {
    outcome = 'failed';
    // A lost lock or a journal that cannot be written shows through whatever it broke (a step,
    // a later entry): it is the cause.
    let error = lockGuard.lost ?? writeFailureOf(journal) ?? caught;
    if (error instanceof LockLostError) {
      lockGuard.markLost(error); // found by the journal: the locks must not be released as ours
      await recordLockLost(journal, state, error);
    } else if (error instanceof JournalWriteError) {
      error = journalWriteFailure(error, state, state.runId, journal.unwritten);
    } else {
      await ctx
        .record({ type: 'done', outcome: 'failed', summary: `failed: ${message(error)}` })
        .catch(() => undefined);
    }
    logger.error({ err: error }, `run failed: ${message(error)}`);
    // A journal that cannot be written, or a bug, is not an outcome to report: it is thrown.
    if (error instanceof JournalWriteError || !(error instanceof DrainctlError)) throw error;
  } finally {
    options.handover?.removeEventListener('abort', handOver);
    stopRetryNotes();
    // Node sequences release their probes as they end; one still running after a lost lock
    // does not keep its log follower past the run.
    await ctx.heldProbes.releaseAll();
    untrack();
    stops.dispose();
    locks.stopHeartbeats();
    await journal.close().catch(() => undefined);
  }
  return {
    runId: state.runId,
    outcome,
    exitCode: EXIT_CODES[outcome],
    report: buildReport(state),
    state,
  };
}

const EXIT_CODES: Record<RunOutcome, number> = {
  completed: ExitCode.ok,
  halted: ExitCode.halted,
  failed: ExitCode.error,
};

function writeFailureOf(journal: Journal): JournalWriteError | undefined {
  return journal.failure instanceof JournalWriteError ? journal.failure : undefined;
}

/** The run's journal store; in shared storage its lines are written under `fence`'s leases. */
function storeFor(
  options: EngineOptions,
  runId: string,
  fence?: FenceSource,
  onWaited?: (waitedMs: number, error: unknown) => void,
): JournalStore {
  if (options.store !== undefined) return options.store;
  if (options.shared !== undefined) {
    return new SharedJournalStore(
      options.shared.journal(runId),
      fence ?? { fences: () => [], heldUntil: () => undefined },
      options.ports.clock,
      onWaited,
    );
  }
  return new FileJournalStore(journalPath(options.home, runId));
}

/**
 * A journal line that had to wait for shared storage (a database restart): the run says so in
 * its journal once it can write again. Nothing was changed meanwhile — every change waits for
 * its intent's line.
 */
function sayWaited(): {
  journal?: Journal;
  told: (waitedMs: number, error: unknown) => void;
} {
  const holder: { journal?: Journal; told: (waitedMs: number, error: unknown) => void } = {
    told: (waitedMs, error) => {
      holder.journal
        ?.append({
          type: 'note',
          message: `the journal's storage was unreachable for ${(waitedMs / 1000).toFixed(1)} s (${message(error)}); the run waited, changing nothing meanwhile, and continues`,
          warning: true,
        })
        // A note that cannot be written fails the journal itself, which stops the run.
        .catch(() => undefined);
    },
  };
  return holder;
}

function releaseLocks(locks: RunLocks, options: EngineOptions): Promise<void> {
  return locks.release((error, id) =>
    (options.logger ?? getLogger()).warn(
      { err: error },
      `could not remove this run's drainctl-lock tag from ${id}: ${message(error)}; remove it by hand (a later run is refused while it is there)`,
    ),
  );
}

/** Lock the plan's balancer (by id, or by name until a created one has an id). */
function acquireLocks(
  plan: Plan,
  runId: string,
  knownId: string | undefined,
  options: EngineOptions,
): Promise<RunLocks> {
  const lockOptions = {
    home: options.home,
    runId,
    clock: options.ports.clock,
    breakLock: options.breakStaleLock ?? false,
    ...(options.lockStaleAfterMs === undefined ? {} : { staleAfterMs: options.lockStaleAfterMs }),
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    ...(options.lockSettleMs === undefined ? {} : { tagSettleMs: options.lockSettleMs }),
    loadBalancer: options.ports.loadBalancer,
    ...(options.shared === undefined ? {} : { leases: options.shared.leases }),
    ...(options.leaseTtlMs === undefined ? {} : { leaseTtlMs: options.leaseTtlMs }),
  };
  if (options.locking === false) return Promise.resolve(RunLocks.none(lockOptions));
  return RunLocks.acquire(plan, knownId, lockOptions);
}

/** The watcher's callback, told of one run: a failing watcher is logged, never the run's failure. */
function drainProgressFor(
  runId: string,
  watcher: (event: DrainProgressEvent) => void,
  logger: Logger,
): (node: string, progress: DrainProgress) => void {
  return (node, progress) => {
    try {
      watcher({ ...progress, runId, node });
    } catch (error) {
      logger.warn({ err: error }, 'a drain progress watcher failed');
    }
  };
}
