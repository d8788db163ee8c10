/**
 * One balancer, one story: before a new run starts, the latest earlier run on the same balancer
 * in this DRAINCTL_HOME (or in the database replicas share) must have ended completed (or halted only over servers it left at weight
 * 0 as found, which leaves nothing to resume). A run that halted, failed or was interrupted
 * may have nodes out of service that a new run would never look at again; it is continued with
 * `drainctl resume`, or deliberately set aside with `--new-run` (it stays as it is, and
 * `drainctl status <id>` still reports it). Reads journals only.
 */
import { DrainctlError, ExitCode } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import type { Plan } from '../../plan/types.js';
import type { SharedStorage } from '../../ports/index.js';
import { LockHeldError, message } from '../engine-errors.js';
import type { JournalEntry } from '../journal/entries.js';
import { entryProblem } from '../journal/entry-check.js';
import { foldJournal, type RunState } from '../journal/run-state.js';
import { lockKeyForName } from '../lock/balancer-lock.js';
import { haltedOnlyAtZero } from '../policy/left-at-zero.js';
import { buildReport, describeWeight } from '../reporting/report.js';
import { type RunJournals, runJournals } from './run-journals.js';

/** An earlier run on the same balancer that did not complete. */
export interface UnfinishedRun {
  runId: string;
  workflow: string;
  /** `halted`, `failed`, or `interrupted` (no process finished it). */
  state: 'halted' | 'failed' | 'interrupted';
  /** Nodes it left out of service, or began and did not finish (may be out of service). */
  nodesOut: Array<{ id: string; name: string; why: string }>;
}

/**
 * The keys a plan's balancers are known by: their ids (every balancer of a fleet plan), and the
 * name a run creating one locks on.
 */
export function balancerKeys(plan: Plan, knownId?: string): string[] {
  const keys = plan.loadBalancer.create ? [lockKeyForName(plan.loadBalancer.name)] : [];
  const id = plan.loadBalancer.id ?? knownId;
  if (id !== undefined) keys.push(id);
  for (const lb of plan.balancers ?? []) if (!keys.includes(lb.id)) keys.push(lb.id);
  return keys;
}

function describe(state: RunState): UnfinishedRun | undefined {
  // Halted only over servers it left at weight 0 as found: a new run is how to choose for them.
  if (state.outcome === 'completed' || haltedOnlyAtZero(state)) return undefined;
  const report = buildReport(state);
  return {
    runId: state.runId,
    workflow: state.plan.workflow.name,
    state: state.outcome ?? 'interrupted',
    nodesOut: [
      ...report.leftOut.map((n) => ({ id: n.id, name: n.name, why: `left out, ${n.reason}` })),
      ...report.unfinished.map((n) => ({
        id: n.id,
        name: n.name,
        why: `${n.state}, ${describeWeight(n)}`,
      })),
      ...(report.stillAtZero ?? []).map((n) => ({
        id: n.id,
        name: n.name,
        why: 'found at weight 0, not reached',
      })),
    ],
  };
}

/** An earlier run whose journal cannot be read, and which may have been on the same balancer. */
export interface UnreadableRun {
  runId: string;
  journal: string;
  /** Why it cannot be read (`JOURNAL_CORRUPT: … line 7 …`). */
  problem: string;
}

/** What a new run on a balancer finds behind it. */
export interface EarlierRuns {
  /** The latest readable run on the balancer, when it did not complete. */
  unfinished?: UnfinishedRun;
  /**
   * Journals newer than that run (or than every run, when none was on it) that cannot be read
   * and may be of this balancer: the latest run on it may be among them, and whether it left
   * nodes out of service is unknown.
   */
  unreadable: UnreadableRun[];
}

export interface LookBackOptions {
  exceptRunId?: string;
  /** Look in the database replicas share instead of `home`. */
  shared?: SharedStorage;
}

/**
 * Look back from the latest run in `home` (other than `exceptRunId`) to the latest one on the
 * plan's balancer. A journal that cannot be read is never taken for "not on this balancer"
 * unless its first line, the plan, says so: skipping it would let an older run pass for the
 * latest while the unreadable one left a node out.
 */
export async function lookBack(
  home: string,
  plan: Plan,
  options: LookBackOptions = {},
): Promise<EarlierRuns> {
  const journals = runJournals(home, options.shared);
  const wanted = new Set(balancerKeys(plan));
  const unreadable: UnreadableRun[] = [];
  const runs = (await journals.list()).filter((id) => id !== options.exceptRunId).reverse();
  for (const runId of runs) {
    let state: RunState;
    try {
      const entries = await journals.read(runId);
      if (entries.length === 0) continue;
      state = foldJournal(entries);
    } catch (error) {
      if (await mayBeOn(plan, wanted, journals, runId)) {
        unreadable.push({ runId, journal: journals.where(runId), problem: describeProblem(error) });
      }
      continue;
    }
    const keys = balancerKeys(state.plan, state.refs.loadBalancerId);
    if (!keys.some((k) => wanted.has(k))) continue;
    // A run a live process still holds is running, not unfinished (the lock refuses a new one).
    if (state.outcome === undefined && (await journals.heldLive(keys, runId))) {
      return { unreadable };
    }
    const unfinished = describe(state);
    return unfinished === undefined ? { unreadable } : { unfinished, unreadable };
  }
  return { unreadable };
}

/**
 * Whether an unreadable journal may be of the plan's balancer: yes unless its plan entry (its
 * first line) can be read and names another one. A run that created its balancer journals the
 * new id only later, so it may be the balancer a plan names by id.
 */
async function mayBeOn(
  plan: Plan,
  wanted: Set<string>,
  journals: RunJournals,
  runId: string,
): Promise<boolean> {
  const first = await journals.firstLine(runId);
  let entry: unknown;
  try {
    entry = JSON.parse(first);
  } catch {
    return true;
  }
  if (entryProblem(entry) !== undefined || (entry as JournalEntry).type !== 'plan') return true;
  const theirs = (entry as Extract<JournalEntry, { type: 'plan' }>).plan;
  if (balancerKeys(theirs).some((k) => wanted.has(k))) return true;
  return theirs.loadBalancer.id === undefined && plan.loadBalancer.id !== undefined;
}

function describeProblem(error: unknown): string {
  return error instanceof DrainctlError ? `${error.code}: ${error.message}` : message(error);
}

/**
 * The latest run in `home` (other than `exceptRunId`) on the plan's balancer, if it did not
 * complete. Journals that cannot be read are left out (with a warning): `status` reports on
 * what it can read; a new run refuses on them (`assertNoUnfinishedRun`).
 */
export async function findUnfinishedRun(
  home: string,
  plan: Plan,
  options: LookBackOptions & { logger?: Logger } = {},
): Promise<UnfinishedRun | undefined> {
  const earlier = await lookBack(home, plan, options);
  for (const run of earlier.unreadable) {
    options.logger?.warn({ runId: run.runId }, `cannot read run ${run.runId}: ${run.problem}`);
  }
  return earlier.unfinished;
}

/**
 * Every balancer's latest run in `home` that did not complete and that no live process holds:
 * what a server (`drainctl serve`) lists when it starts, for an operator to resume or set aside.
 * Newest first. Journals that cannot be read are returned apart, never guessed at.
 */
export async function listUnfinishedRuns(
  home: string,
  shared?: SharedStorage,
): Promise<{ unfinished: UnfinishedRun[]; unreadable: UnreadableRun[] }> {
  const journals = runJournals(home, shared);
  const unfinished: UnfinishedRun[] = [];
  const unreadable: UnreadableRun[] = [];
  const seen = new Set<string>();
  for (const runId of (await journals.list()).reverse()) {
    let state: RunState;
    try {
      const entries = await journals.read(runId);
      if (entries.length === 0) continue;
      state = foldJournal(entries);
    } catch (error) {
      unreadable.push({ runId, journal: journals.where(runId), problem: describeProblem(error) });
      continue;
    }
    const keys = balancerKeys(state.plan, state.refs.loadBalancerId);
    // Only the latest run on a balancer is the one to resume; older ones were set aside.
    if (keys.some((key) => seen.has(key))) continue;
    for (const key of keys) seen.add(key);
    if (state.outcome === undefined && (await journals.heldLive(keys, runId))) continue;
    const run = describe(state);
    if (run !== undefined) unfinished.push(run);
  }
  return { unfinished, unreadable };
}

/** One line: the run, its state, the nodes it left out. */
export function describeUnfinishedRun(run: UnfinishedRun): string {
  const out =
    run.nodesOut.length === 0
      ? 'no node out of service'
      : `out of service: ${run.nodesOut.map((n) => `${n.name} (${n.id}, ${n.why})`).join(', ')}`;
  return `run ${run.runId} (${run.workflow}) on the same balancer is ${run.state}; ${out}`;
}

export class UnfinishedRunError extends DrainctlError {
  constructor(readonly run: UnfinishedRun) {
    super('UNFINISHED_RUN', `${describeUnfinishedRun(run)}: not starting another run`, {
      hint: `continue it with \`drainctl resume ${run.runId}\`; or start anyway with --new-run (${run.runId} stays as it is, \`drainctl status ${run.runId}\` still reports it)`,
      exitCode: ExitCode.invalidInput,
    });
  }
}

/**
 * An earlier run's journal cannot be read, and it may be the latest run on the balancer: a new
 * run would not know whether it left nodes out of service.
 */
export class UnreadableRunError extends DrainctlError {
  constructor(readonly runs: UnreadableRun[]) {
    const [first] = runs;
    const more =
      runs.length > 1
        ? ` (and ${runs.length - 1} more: ${runs
            .slice(1)
            .map((r) => r.runId)
            .join(', ')})`
        : '';
    super(
      'UNREADABLE_RUN',
      `run ${first?.runId}'s journal cannot be read (${first?.problem})${more}, so whether it is the latest run on this balancer and left nodes out of service is unknown: not starting another run`,
      {
        hint: `put the journal back as it was if you can (keep a copy of the file; \`drainctl status ${first?.runId}\` names the line), then \`drainctl resume ${first?.runId}\`; or check the balancer's backend weights in the console and start anyway with --new-run (the unreadable run stays as it is)`,
        exitCode: ExitCode.invalidInput,
      },
    );
  }
}

/**
 * Refuse (`UNFINISHED_RUN` or `UNREADABLE_RUN`, exit 3, nothing changed) while the latest run
 * on the balancer did not complete or cannot be read, unless `newRun`. Returns what a new run
 * then sets aside, one line each, for its journal.
 */
export async function assertNoUnfinishedRun(
  home: string,
  plan: Plan,
  options: LookBackOptions & { newRun?: boolean } = {},
): Promise<string[]> {
  const earlier = await lookBack(home, plan, options);
  if (options.newRun !== true) {
    if (earlier.unreadable.length > 0) throw new UnreadableRunError(earlier.unreadable);
    if (earlier.unfinished !== undefined) throw new UnfinishedRunError(earlier.unfinished);
  }
  return [
    ...earlier.unreadable.map(
      (r) => `run ${r.runId}'s journal cannot be read (${r.problem}); it stays as it is`,
    ),
    ...(earlier.unfinished === undefined
      ? []
      : [`${describeUnfinishedRun(earlier.unfinished)}; it stays as it is`]),
  ];
}

/**
 * A new run met a lock whose holder is a dead process on this host (a crash, a kill): when that
 * holder's run is the unfinished run on this balancer in this home, the way on is `drainctl
 * resume <id>` (which takes over its own run's lock), not `--break-lock` — so the refusal says
 * that. A live holder, a holder on another host, or a run that did finish keep the lock's own
 * refusal. Returns what to throw.
 */
export async function resumeRatherThanBreak(
  error: unknown,
  home: string,
  plan: Plan,
  options: LookBackOptions & { logger?: Logger } = {},
): Promise<unknown> {
  if (!(error instanceof LockHeldError) || !error.holder.stale || error.holder.remote === true) {
    return error;
  }
  const earlier = await findUnfinishedRun(home, plan, options).catch(() => undefined);
  return earlier?.runId === error.holder.runId ? new UnfinishedRunError(earlier) : error;
}
