/**
 * One balancer, one story: before a new run starts, the latest earlier run on the same balancer
 * in this DRAINCTL_HOME must have ended completed (or halted only over servers it left at weight
 * 0 as found, which leaves nothing to resume). A run that halted, failed or was interrupted
 * may have nodes out of service that a new run would never look at again; it is continued with
 * `drainctl resume`, or deliberately set aside with `--new-run` (it stays as it is, and
 * `drainctl status <id>` still reports it). Reads journals only.
 */
import { DrainctlError, ExitCode } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import type { Plan } from '../../plan/types.js';
import { LockHeldError, message } from '../engine-errors.js';
import { foldJournal, type RunState } from '../journal/run-state.js';
import { FileJournalStore } from '../journal/store.js';
import { lockKeyForName, readLock, staleness } from '../lock/balancer-lock.js';
import { haltedOnlyAtZero } from '../policy/left-at-zero.js';
import { buildReport, describeWeight } from '../reporting/report.js';
import { journalPath, listRuns } from './run-dir.js';

/** An earlier run on the same balancer that did not complete. */
export interface UnfinishedRun {
  runId: string;
  workflow: string;
  /** `halted`, `failed`, or `interrupted` (no process finished it). */
  state: 'halted' | 'failed' | 'interrupted';
  /** Nodes it left out of service, or began and did not finish (may be out of service). */
  nodesOut: Array<{ id: string; name: string; why: string }>;
}

/** The keys a balancer is known by: its id, and the name a run creating it locks on. */
function balancerKeys(plan: Plan, knownId?: string): string[] {
  const keys = plan.loadBalancer.create ? [lockKeyForName(plan.loadBalancer.name)] : [];
  const id = plan.loadBalancer.id ?? knownId;
  if (id !== undefined) keys.push(id);
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

/**
 * The latest run in `home` (other than `exceptRunId`) on the plan's balancer, if it did not
 * complete. A journal that cannot be read is skipped with a warning: it says nothing about
 * which balancer it was on.
 */
export async function findUnfinishedRun(
  home: string,
  plan: Plan,
  options: { exceptRunId?: string; logger?: Logger } = {},
): Promise<UnfinishedRun | undefined> {
  const wanted = new Set(balancerKeys(plan));
  const runs = (await listRuns(home)).filter((id) => id !== options.exceptRunId).reverse();
  for (const runId of runs) {
    let state: RunState;
    try {
      const entries = await new FileJournalStore(journalPath(home, runId)).read();
      if (entries.length === 0) continue;
      state = foldJournal(entries);
    } catch (error) {
      options.logger?.warn({ err: error, runId }, `cannot read run ${runId}: ${message(error)}`);
      continue;
    }
    const keys = balancerKeys(state.plan, state.refs.loadBalancerId);
    if (!keys.some((k) => wanted.has(k))) continue;
    // A run a live process still holds is running, not unfinished (the lock refuses a new one).
    if (state.outcome === undefined && (await heldLive(home, keys, runId))) return undefined;
    return describe(state);
  }
  return undefined;
}

async function heldLive(home: string, keys: string[], runId: string): Promise<boolean> {
  for (const key of keys) {
    const info = await readLock(home, key).catch(() => undefined);
    if (info?.runId === runId && !staleness(info, Date.now()).stale) return true;
  }
  return false;
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

/** Refuse (`UNFINISHED_RUN`, exit 3, nothing changed) while such a run exists. */
export async function assertNoUnfinishedRun(
  home: string,
  plan: Plan,
  options: { exceptRunId?: string; logger?: Logger } = {},
): Promise<void> {
  const earlier = await findUnfinishedRun(home, plan, options);
  if (earlier !== undefined) throw new UnfinishedRunError(earlier);
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
  options: { exceptRunId?: string; logger?: Logger } = {},
): Promise<unknown> {
  if (!(error instanceof LockHeldError) || !error.holder.stale || error.holder.remote === true) {
    return error;
  }
  const earlier = await findUnfinishedRun(home, plan, options).catch(() => undefined);
  return earlier?.runId === error.holder.runId ? new UnfinishedRunError(earlier) : error;
}
