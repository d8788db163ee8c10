/**
 * Reading a run without touching it (`drainctl status`), and asking a run to stop
 * (`drainctl abort`): a request file the running engine polls for, plus SIGTERM to the holder
 * of the balancer's lock when it runs on this host; with shared storage, a request in the
 * database that whichever replica runs it polls for.
 */
import { hostname } from 'node:os';
import { DrainctlError } from '../../errors/index.js';
import type { Clock, SharedStorage } from '../../ports/index.js';
import { RunDirMismatchError } from '../engine-errors.js';
import type { JournalEntry } from '../journal/entries.js';
import { foldJournal, type RunState } from '../journal/run-state.js';
import { FileJournalStore } from '../journal/store.js';
import {
  checkRunId,
  journalPath,
  latestRun,
  noEntriesError,
  readAbortRequest,
  runDir,
  writeAbortRequest,
} from '../lifecycle/run-dir.js';
import { readSharedJournal } from '../lifecycle/run-journals.js';
import {
  balancerKeys,
  findUnfinishedRun,
  type UnfinishedRun,
} from '../lifecycle/unfinished-runs.js';
import {
  type LockInfo,
  lockKeyForName,
  pidAlive,
  readLock,
  staleness,
} from '../lock/balancer-lock.js';
import { buildReport, type RunReport } from './report.js';

export interface RunStatus {
  runId: string;
  /** A live process holds the run's lock. */
  running: boolean;
  holder?: LockInfo;
  report: RunReport;
  state: RunState;
  /**
   * The latest other run on the same balancer, when it did not complete (e.g. one set aside
   * with `run --new-run`): its nodes may still be out of service.
   */
  otherUnfinished?: UnfinishedRun;
}

export async function readRunStatus(
  home: string,
  runId?: string,
  clock?: Clock,
  shared?: SharedStorage,
): Promise<RunStatus> {
  if (shared !== undefined) return readSharedRunStatus(shared, home, runId, clock);
  const id = runId ?? (await latestRun(home));
  if (id === undefined) {
    throw new DrainctlError('NO_RUNS', `no runs in ${home}/runs yet`, {
      hint: 'start one with `drainctl run <workflow>`; DRAINCTL_HOME must match',
      exitCode: 3,
    });
  }
  if (runId !== undefined) checkRunId(home, runId);
  const entries = await new FileJournalStore(journalPath(home, id)).read();
  if (entries.length === 0) throw await noEntriesError(home, id);
  const state = foldJournal(entries);
  if (state.runId !== id) throw new RunDirMismatchError(runDir(home, id), state.runId);
  const holder = await lockHolder(home, state);
  const now = clock?.now() ?? Date.now();
  const running =
    holder !== undefined && state.outcome === undefined && !staleness(holder, now).stale;
  const other = await findUnfinishedRun(home, state.plan, { exceptRunId: id });
  return {
    runId: id,
    running,
    ...(holder === undefined ? {} : { holder }),
    report: buildReport(state, running, now),
    state,
    ...(other === undefined ? {} : { otherUnfinished: other }),
  };
}

/**
 * A run in the database replicas share: `running` while a lease of its balancer names it and
 * has not expired (the replica holding it renews it), whichever replica that is.
 */
async function readSharedRunStatus(
  shared: SharedStorage,
  home: string,
  runId: string | undefined,
  clock: Clock | undefined,
): Promise<RunStatus> {
  const id = runId ?? (await shared.listRuns()).at(-1);
  if (id === undefined) {
    throw new DrainctlError('NO_RUNS', `no runs in ${shared.describe()} yet`, {
      hint: 'start one with `drainctl run <workflow>`; DRAINCTL_DATABASE_URL must match',
      exitCode: 3,
    });
  }
  if (runId !== undefined) checkRunId(home, runId);
  const now = clock?.now() ?? Date.now();
  const entries = await readRunJournal(home, id, shared);
  if (entries.length === 0) {
    throw new DrainctlError('RUN_NOT_FOUND', `no run ${id} in ${shared.describe()}`, {
      exitCode: 3,
    });
  }
  const state = foldJournal(entries);
  let holder: LockInfo | undefined;
  for (const key of balancerKeys(state.plan, state.refs.loadBalancerId)) {
    const lease = await shared.leases.read(key);
    if (lease?.runId === state.runId && Date.parse(lease.expiresAt) > now) {
      holder = {
        key,
        runId: lease.runId,
        pid: lease.pid,
        host: lease.host,
        acquiredAt: lease.acquiredAt,
        heartbeatAt: lease.expiresAt,
      };
    }
  }
  const running = holder !== undefined && state.outcome === undefined;
  const other = await findUnfinishedRun(home, state.plan, { exceptRunId: id, shared });
  return {
    runId: id,
    running,
    ...(holder === undefined ? {} : { holder }),
    report: buildReport(state, running, now),
    state,
    ...(other === undefined ? {} : { otherUnfinished: other }),
  };
}

/** A run's journal as written so far, from the database replicas share or DRAINCTL_HOME. */
export function readRunJournal(
  home: string,
  runId: string,
  shared?: SharedStorage,
): Promise<JournalEntry[]> {
  if (shared === undefined) return new FileJournalStore(journalPath(home, runId)).read();
  return readSharedJournal(shared, runId);
}

async function lockHolder(home: string, state: RunState): Promise<LockInfo | undefined> {
  const keys = [
    ...(state.refs.loadBalancerId ? [state.refs.loadBalancerId] : []),
    ...(state.plan.loadBalancer.create ? [lockKeyForName(state.plan.loadBalancer.name)] : []),
  ];
  for (const key of keys) {
    const info = await readLock(home, key).catch(() => undefined);
    if (info?.runId === state.runId) return info;
  }
  return undefined;
}

export interface AbortResult {
  runId: string;
  /** SIGTERM was sent to the run's process on this host. */
  signalled: boolean;
  /** The run already had an abort requested: nothing was sent again. */
  alreadyRequested?: boolean;
  pid?: number;
  message: string;
}

/**
 * With shared storage the request is a row in the database: the run may execute on another
 * replica, which looks for it as the engine looks for the request file.
 */
export async function requestAbort(
  home: string,
  runId: string,
  by = `${process.env.USER ?? 'someone'}@${hostname()}`,
  shared?: SharedStorage,
): Promise<AbortResult> {
  const status = await readRunStatus(home, runId, undefined, shared);
  if (status.state.outcome !== undefined) {
    throw new DrainctlError(
      'RUN_NOT_RUNNING',
      `run ${runId} has already ended (${status.state.outcome})`,
      {
        hint: `see \`drainctl status ${runId}\``,
      },
    );
  }
  const holder = status.holder;
  if (!status.running) {
    throw new DrainctlError(
      'RUN_NOT_RUNNING',
      `run ${runId} is not running (no live process holds its lock)`,
      {
        hint: `it was interrupted; \`drainctl status ${runId}\` shows where, \`drainctl resume ${runId}\` continues it`,
      },
    );
  }
  // Asked twice (the first seemed to do nothing while a patched node is carried through its
  // ramp): a second SIGTERM would only add noise to a run that is already stopping safely.
  const request = { requestedAt: new Date().toISOString(), by };
  const pending =
    shared === undefined
      ? await readAbortRequest(home, runId)
      : await shared.abortRequests.request(runId, request);
  const already =
    status.state.abortRequested ?? (pending ? `drainctl abort (${pending.by})` : undefined);
  if (already !== undefined) {
    return {
      runId,
      signalled: false,
      alreadyRequested: true,
      message: `run ${runId} is already stopping (abort requested: ${already}); nothing sent again — it finishes or undoes its current step, then halts`,
    };
  }
  if (shared !== undefined) {
    // Never a signal: the holder may be a serve replica, whose SIGTERM hands every run it
    // executes over. Whichever process runs it looks for the request every second.
    return {
      runId,
      signalled: false,
      ...(holder === undefined ? {} : { pid: holder.pid }),
      message: `abort requested for run ${runId} on ${holder?.host} (pid ${holder?.pid}): it stops at its next check (within seconds), finishing or undoing its current step`,
    };
  }
  await writeAbortRequest(home, runId, request);
  // A process that executes the run itself (`drainctl serve`, a script using the library) must
  // not signal itself: its own stop would be taken for the whole process's. The run polls
  // for the request file it just wrote.
  if (holder !== undefined && holder.host === hostname() && holder.pid === process.pid) {
    return {
      runId,
      signalled: false,
      pid: holder.pid,
      message: `abort requested for run ${runId}, which this process executes: it finishes or undoes its current step, then halts`,
    };
  }
  if (holder !== undefined && holder.host === hostname() && pidAlive(holder.pid)) {
    process.kill(holder.pid, 'SIGTERM');
    return {
      runId,
      signalled: true,
      pid: holder.pid,
      message: `asked run ${runId} (pid ${holder.pid}) to stop: it finishes or undoes its current step, then halts`,
    };
  }
  return {
    runId,
    signalled: false,
    message: `abort requested for run ${runId} on ${holder?.host}: it stops at its next check (within seconds)`,
  };
}
