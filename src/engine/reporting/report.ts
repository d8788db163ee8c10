/**
 * The run report, built from the run state alone (so `run`, `resume` and `status` print the
 * same thing): per node its timeline, verify output before/after (the kernel, by default),
 * weight before/after, and for every node not back in service its name and reason.
 */
import { restoreReason } from '../../plan/at-zero.js';
import { describeSavedWeight } from '../../plan/saved-weight-tag.js';
import type { AtZeroDecision, SavedWeight } from '../../plan/types.js';
import { haltedByAbort } from '../execution/run-control.js';
import type { RunApproval, RunOutcome } from '../journal/entries.js';
import type { CloudRetrying, RunState } from '../journal/run-state.js';
import {
  haltedOnlyAtZero,
  leftAtZero,
  leftAtZeroHint,
  stillAtZero,
} from '../policy/left-at-zero.js';
import {
  type FailureOutcome,
  isTerminal,
  type LeftOutReason,
  type NodeState,
} from '../policy/node-machine.js';
import { type AttachmentReport, attachmentsOf, fleetAttachments } from './attachment-report.js';
import { type Recovery, recoveryOf } from './recovery.js';

export interface NodeReport {
  id: string;
  name: string;
  batch: number;
  state: NodeState;
  /** Live weight recorded right before the drain (plan weight if never drained). */
  weightBefore: number | undefined;
  /** Weight after the run, as last set and confirmed by it. */
  weightAfter: number | undefined;
  /** A weight change sent and not confirmed (see `WeightInFlight`): the live weight is uncertain. */
  weightInFlight?: WeightInFlight;
  /** Output of the verify command before and after (`uname -r`: the kernel). */
  kernelBefore?: string;
  kernelAfter?: string;
  reason?: LeftOutReason;
  outcome?: FailureOutcome;
  detail?: string;
  /**
   * Found at weight 0 (and not brought into service by the workflow): the weight it came back
   * to and where that came from (a saved weight, `--restore-weight`), or that it was left as
   * found. As planned (`plan.nodes[].atZero`).
   */
  atZero?: AtZeroDecision;
  /**
   * Found serving below the weight a run saved for it (a ramp that stopped): the weight it was
   * brought back to. As planned (`plan.nodes[].belowSaved`).
   */
  belowSaved?: SavedWeight;
  /** A long wait its current step began (quiet before its reboot): what, and since when (ISO). */
  waiting?: { message: string; since: string };
  /** Its maintenance failed: when that was detected, and when it served again (recovery.ts). */
  recovery?: Recovery;
  /**
   * A fleet server: every attachment its plan drains, with the weight read right before its
   * drain (plan weight if never drained) and the last one this run set and saw confirmed.
   */
  attachments?: AttachmentReport[];
  timeline: Array<{ state: NodeState; at: string }>;
}

/**
 * A weight change journaled as intent whose result never came (the process crashed, or lost its
 * lock, while SetBackendServers was in flight): the live weight is `from` or `to`, and only the
 * balancer can say which.
 */
export interface WeightInFlight {
  from: number;
  to: number;
}

export type { AttachmentReport } from './attachment-report.js';

export interface RunReport {
  runId: string;
  workflow: string;
  planSha256: string;
  /** The run's balancer; for a fleet run, the first of `loadBalancers`. */
  loadBalancerId?: string;
  /** A fleet run: every balancer its plan touches (each locked by the run), by id. */
  loadBalancers?: Array<{ id: string; name: string }>;
  outcome: RunOutcome | 'running' | 'interrupted';
  summary: string;
  haltReason?: string;
  startedAt: string;
  /** Who asked for the run when not the terminal's user (`api:<token name>`). */
  startedBy?: string;
  /** No server starts its drain at or after this ISO instant (a schedule's window). */
  drainsEndAt?: string;
  /** Who approved it, when a second person had to (chat-ops). */
  approvedBy?: string;
  /** The schedule approval it started under (who approved which plan sha256). */
  approval?: RunApproval;
  /** When its last journal entry was written. */
  updatedAt: string;
  /**
   * Start to end; for a running run, start to when the report was made (its journal can be
   * quiet for minutes while a drain waits); for an interrupted one, what its journal spans.
   */
  durationSeconds: number;
  nodes: NodeReport[];
  /** Every node not serving at its original weight because of this run, by name, with why. */
  leftOut: Array<{ id: string; name: string; reason: LeftOutReason; detail: string }>;
  /**
   * Nodes the run began and did not finish (neither pending, done, rolled back nor left out):
   * after a failure or a crash they may be out of service, and `resume` settles them.
   */
  unfinished: Array<{
    id: string;
    name: string;
    state: NodeState;
    /** Last confirmed weight; with `weightInFlight` the live one may differ. */
    weight: number | undefined;
    weightInFlight?: WeightInFlight;
  }>;
  /**
   * Servers found at weight 0 with no saved weight and left there as found, untouched, without
   * the operator's word (`--leave-at-zero`): the run is not a plain success. Absent when none.
   */
  leftAtZero?: Array<{ id: string; name: string; detail: string }>;
  /**
   * Servers found at weight 0 and bound for a weight (saved, or `--restore-weight`) that the run
   * has not reached (its gate blocked, an earlier node halted the run): still out of service,
   * as found; `resume` carries them through. Absent when none.
   */
  stillAtZero?: Array<{ id: string; name: string; detail: string }>;
  /** What a person must check that is not about a node (e.g. DNS someone else changed). */
  warnings: string[];
  /**
   * Cloud calls the run is retrying (throttling…), per step still in progress: a run that seems
   * stuck "draining" says why. For an interrupted run: what it was retrying when it stopped.
   */
  cloudRetries?: CloudRetrying[];
  /** What a person does next, when the run did not complete. */
  next?: string;
  steps: { total: number; completed: number; failed: number };
}

/** `now` (epoch ms) is when a running run is reported; without it its journal's span is used. */
export function buildReport(state: RunState, running = false, now?: number): RunReport {
  const planWeights = new Map(state.plan.nodes.map((n) => [n.id, n.weight]));
  const planNodes = new Map(state.plan.nodes.map((n) => [n.id, n]));
  const inFlight = weightsInFlight(state);
  const attachments = fleetAttachments(state);
  const nodes: NodeReport[] = [...state.nodes.values()].map((n) => ({
    id: n.id,
    name: n.name,
    batch: n.batch,
    state: n.state,
    weightBefore: n.originalWeight ?? planWeights.get(n.id),
    weightAfter: n.weight ?? n.originalWeight ?? planWeights.get(n.id),
    ...(inFlight.has(n.id) ? { weightInFlight: inFlight.get(n.id) } : {}),
    ...(n.before === undefined ? {} : { kernelBefore: n.before }),
    ...(n.after === undefined ? {} : { kernelAfter: n.after }),
    ...(n.reason === undefined ? {} : { reason: n.reason }),
    ...(n.outcome === undefined ? {} : { outcome: n.outcome }),
    ...(n.detail === undefined ? {} : { detail: n.detail }),
    ...atZeroOf(planNodes.get(n.id)?.atZero),
    ...belowSavedOf(planNodes.get(n.id)?.belowSaved),
    ...(n.waiting === undefined ? {} : { waiting: n.waiting }),
    ...recoveryField(recoveryOf(state, n.id)),
    ...attachmentsOf(state, n.id, attachments.get(n.id)),
    timeline: n.timeline,
  }));
  const atZero = leftAtZero(state.plan).map((n) => ({
    id: n.id,
    name: n.name,
    detail: 'at weight 0 and no drainctl run saved its weight: left as found, untouched',
  }));
  // A node retried from weight 0 whose retry did not start (a blocked gate) is still out.
  const retriedOut = new Set(
    [...state.nodes.values()]
      .filter((n) => n.state === 'pending' && n.retriedFromLeftOut !== undefined)
      .map((n) => n.id),
  );
  const leftOut = nodes
    .filter((n) => n.state === 'left-out' || retriedOut.has(n.id))
    .map((n) => ({
      id: n.id,
      name: n.name,
      reason: n.reason ?? state.nodes.get(n.id)?.retriedFromLeftOut ?? 'error',
      detail:
        n.detail ??
        (retriedOut.has(n.id) ? 'retried from weight 0; its sequence did not start again' : ''),
    }));
  const notReached = stillAtZero(state).map((n) => {
    const decision = planNodes.get(n.id)?.atZero;
    const back =
      decision?.action === 'restore'
        ? ` (it comes back to ${decision.weight} through its full maintenance)`
        : '';
    return {
      id: n.id,
      name: n.name,
      detail: `found at weight 0, not reached by this run: still out of service${back}`,
    };
  });
  const unfinished = nodes
    .filter((n) => n.state !== 'pending' && !isTerminal(n.state))
    .map((n) => ({
      id: n.id,
      name: n.name,
      state: n.state,
      weight: n.weightAfter,
      ...(n.weightInFlight ? { weightInFlight: n.weightInFlight } : {}),
    }));
  const outcome = state.outcome ?? (running ? 'running' : 'interrupted');
  const next = nextStep(
    state.runId,
    outcome,
    leftOut.length > 0,
    haltedByAbort(state),
    haltedOnlyAtZero(state),
  );
  const atZeroNext =
    atZero.length > 0 && outcome !== 'running' ? leftAtZeroHint(leftAtZero(state.plan)) : undefined;
  const started = Date.parse(state.startedAt);
  const updated = Date.parse(state.updatedAt);
  const until = running && now !== undefined ? Math.max(updated, now) : updated;
  return {
    runId: state.runId,
    workflow: state.plan.workflow.name,
    planSha256: state.sha256,
    ...(state.refs.loadBalancerId === undefined
      ? {}
      : { loadBalancerId: state.refs.loadBalancerId }),
    ...(state.plan.balancers === undefined
      ? {}
      : { loadBalancers: state.plan.balancers.map(({ id, name }) => ({ id, name })) }),
    outcome,
    summary:
      state.done?.summary ??
      (running
        ? 'running'
        : `interrupted: no process finished this run; \`drainctl resume ${state.runId}\` continues it`),
    ...(state.halt === undefined ? {} : { haltReason: state.halt }),
    startedAt: state.startedAt,
    ...(state.startedBy === undefined ? {} : { startedBy: state.startedBy }),
    ...(state.drainsEndAt === undefined ? {} : { drainsEndAt: state.drainsEndAt }),
    ...(state.approvedBy === undefined ? {} : { approvedBy: state.approvedBy }),
    ...(state.approval === undefined ? {} : { approval: state.approval }),
    updatedAt: state.updatedAt,
    durationSeconds: Math.max(0, Math.round((until - started) / 1000)),
    nodes,
    leftOut,
    unfinished,
    ...(atZero.length === 0 ? {} : { leftAtZero: atZero }),
    ...(notReached.length === 0 ? {} : { stillAtZero: notReached }),
    warnings: [...state.warnings],
    ...(state.cloudRetries.size === 0 ? {} : { cloudRetries: [...state.cloudRetries.values()] }),
    ...(next === undefined && atZeroNext === undefined
      ? {}
      : { next: [next, atZeroNext].filter((t) => t !== undefined).join('; ') }),
    steps: {
      // A patch's rollback steps count once they ran: on a good night they never do.
      total: state.plan.steps.filter(
        (s) => s.rollback !== true || state.completedSteps.has(s.id) || state.failedSteps.has(s.id),
      ).length,
      completed: state.completedSteps.size,
      failed: state.failedSteps.size,
    },
  };
}

function recoveryField(recovery: Recovery | undefined): { recovery?: Recovery } {
  return recovery === undefined ? {} : { recovery };
}

/** `recovery: failure detected 02:01:03, serving again 02:02:10 (67 s)`. */
export function describeRecovery(recovery: Recovery): string {
  const detected = `failure detected ${recovery.detectedAt.slice(11, 19)}`;
  return recovery.restoredAt === undefined || recovery.seconds === undefined
    ? `recovery: ${detected}, capacity not restored`
    : `recovery: ${detected}, capacity restored ${recovery.restoredAt.slice(11, 19)} (${recovery.seconds} s)`;
}

function atZeroOf(decision: AtZeroDecision | undefined): { atZero?: AtZeroDecision } {
  return decision === undefined ? {} : { atZero: decision };
}

function belowSavedOf(saved: SavedWeight | undefined): { belowSaved?: SavedWeight } {
  return saved === undefined ? {} : { belowSaved: saved };
}

function weightsInFlight(state: RunState): Map<string, WeightInFlight> {
  const found = new Map<string, WeightInFlight>();
  for (const intent of state.pendingIntents.values()) {
    if (intent.op !== 'set-weight') continue;
    const from = Number(intent.before.weight);
    const to = Number(intent.to.weight);
    // A change to the weight it already had is never sent: nothing is uncertain.
    if (Number.isFinite(from) && Number.isFinite(to) && from !== to) {
      found.set(String(intent.target.serverId), { from, to });
    }
  }
  return found;
}

/** `weight 0`, or `weight 100→0 (change in flight, check the console)` when it is uncertain. */
export function describeWeight(node: {
  weight: number | undefined;
  weightInFlight?: WeightInFlight;
}): string {
  const flight = node.weightInFlight;
  return flight
    ? `weight ${flight.from}→${flight.to} (change in flight, check the console)`
    : `weight ${node.weight ?? '?'}`;
}

function nextStep(
  runId: string,
  outcome: RunReport['outcome'],
  leftOut: boolean,
  aborted: boolean,
  onlyAtZero: boolean,
): string | undefined {
  // Everything else is done: what is left is the operator's choice, made in a new run.
  if (onlyAtZero) return undefined;
  switch (outcome) {
    case 'failed':
      return `the run FAILED mid-way (not a refusal: nodes may be out of service); \`drainctl resume ${runId}\` reconciles with the live state and settles them`;
    case 'interrupted':
      return `no process is running it; \`drainctl resume ${runId}\` reconciles with the live state and continues`;
    case 'halted':
      if (leftOut) {
        return `the nodes left out need a person; \`drainctl resume ${runId}\` continues the rollout with the others, and once a node's cause is fixed \`drainctl resume ${runId} --retry <instanceId>\` carries it through again`;
      }
      // Stopped on request: nothing broke, so there is no cause to fix first.
      return aborted
        ? `nothing to fix; \`drainctl resume ${runId}\` continues the rollout with the nodes not done, whenever you want it to`
        : `once the cause is fixed, \`drainctl resume ${runId}\` continues the rollout`;
    default:
      return undefined;
  }
}

/**
 * `completed, 78s`. A running run has run since its start, however long ago its last entry was
 * (a drain can wait minutes without one): `running, 23s (last entry at 02:00:07)`. An
 * interrupted run has no end: how long it ran is what its journal spans, first entry to last,
 * said as such (a crash a moment after the start must not read as "0s").
 */
function describeOutcome(report: RunReport): string {
  if (report.outcome === 'running') {
    return `running, ${report.durationSeconds}s (last entry at ${report.updatedAt.slice(11, 19)})`;
  }
  if (report.outcome !== 'interrupted') return `${report.outcome}, ${report.durationSeconds}s`;
  const first = report.startedAt.slice(11, 19);
  const last = report.updatedAt.slice(11, 19);
  const ms = Math.max(0, Date.parse(report.updatedAt) - Date.parse(report.startedAt));
  if (ms === 0) return `interrupted as it started (journal ${first}: nothing after its plan)`;
  const ran =
    ms < 1_000
      ? `${ms} ms`
      : ms < 10_000
        ? `${(ms / 1000).toFixed(1)}s`
        : `${Math.round(ms / 1000)}s`;
  return `interrupted after ${ran} (journal ${first} → ${last})`;
}

/** `API retries since 02:00:05: SetBackendServers throttled (…), retrying: 4 attempts, 37 s so far (noted 02:00:42)` */
function describeRetry(report: RunReport, retry: CloudRetrying): string {
  const what = `${retry.message} (noted ${retry.at.slice(11, 19)})`;
  return report.outcome === 'running'
    ? `API retries since ${retry.since.slice(11, 19)}: ${what}`
    : `when it stopped, API retries since ${retry.since.slice(11, 19)}: ${what}`;
}

/** The report as lines for a terminal. */
export function formatReport(report: RunReport): string[] {
  const lines: string[] = [];
  const by =
    (report.startedBy === undefined ? '' : `, started by ${report.startedBy}`) +
    (report.approvedBy === undefined ? '' : `, approved by ${report.approvedBy}`);
  lines.push(`run ${report.runId} (${report.workflow}${by}): ${describeOutcome(report)}`);
  lines.push(`  ${report.summary}`);
  if (report.loadBalancers !== undefined) {
    const names = report.loadBalancers.map((lb) => (lb.name ? `${lb.name} (${lb.id})` : lb.id));
    lines.push(`  on ${names.length} balancer(s): ${names.join(', ')}`);
  }
  if (report.approval !== undefined) {
    const { schedule, planSha256, by, at } = report.approval;
    lines.push(`  plan ${planSha256} approved for schedule ${schedule} by ${by} at ${at}`);
  }
  if (report.drainsEndAt !== undefined && report.outcome === 'running')
    lines.push(`  no server starts its drain after ${report.drainsEndAt}`);
  // The summary of a halted run already starts with its reason: say it once.
  if (
    report.haltReason &&
    report.outcome !== 'completed' &&
    !report.summary.includes(report.haltReason)
  )
    lines.push(`  halt: ${report.haltReason}`);
  const retries = report.cloudRetries ?? [];
  const retryLines = (node: string | undefined, indent: string) => {
    for (const r of retries.filter((candidate) => candidate.node === node)) {
      lines.push(`${indent}${describeRetry(report, r)}`);
    }
  };
  retryLines(undefined, '  ');
  for (const n of report.nodes) {
    const weight = n.weightInFlight
      ? `weight ${n.weightBefore ?? '?'} → ? (${n.weightInFlight.from}→${n.weightInFlight.to} in flight, check the console)`
      : `weight ${n.weightBefore ?? '?'} → ${n.weightAfter ?? '?'}`;
    // Verify output before → after (the kernel by default); `…` while it is not known yet.
    const kernel =
      n.kernelBefore !== undefined || n.kernelAfter !== undefined
        ? `, ${n.kernelBefore ?? '…'} → ${n.kernelAfter ?? '…'}`
        : '';
    if (n.atZero?.action === 'leave') {
      // No batch, no steps: it was looked at, not touched.
      const why = n.atZero.acknowledged ? 'as --leave-at-zero says' : 'no saved weight';
      lines.push(`  ${n.name} (${n.id}): left at weight 0 as found (${why}), untouched`);
      continue;
    }
    const state = n.state === 'skipped' ? 'skipped (already compliant)' : n.state;
    lines.push(`  ${n.name} (${n.id}) batch ${n.batch}: ${state}, ${weight}${kernel}`);
    for (const a of n.attachments ?? []) {
      lines.push(`      ${a.label}: weight ${a.weightBefore} → ${a.weightAfter}`);
    }
    if (n.atZero?.action === 'restore') {
      lines.push(
        `      found at weight 0; comes back to ${n.atZero.weight}: ${restoreReason(n.id, n.atZero)}`,
      );
    }
    if (n.belowSaved !== undefined) {
      lines.push(
        `      found below its saved weight (a ramp that stopped); comes back to ${n.belowSaved.weight}: ${describeSavedWeight(n.id, n.belowSaved)}`,
      );
    }
    if (n.reason !== undefined || n.detail !== undefined) {
      lines.push(`      ${n.reason ? `${n.reason}: ` : ''}${n.detail ?? ''}`);
    }
    if (n.recovery !== undefined) lines.push(`      ${describeRecovery(n.recovery)}`);
    if (n.waiting !== undefined) {
      const since = n.waiting.since.slice(11, 19);
      lines.push(
        `      ${report.outcome === 'running' ? '' : 'when it stopped, '}since ${since}: ${n.waiting.message}`,
      );
    }
    const times = n.timeline.slice(1).map((t) => `${t.state} ${t.at.slice(11, 19)}`);
    if (times.length > 0) lines.push(`      ${times.join(' · ')}`);
    retryLines(n.id, '      ');
  }
  if (report.leftOut.length > 0) {
    lines.push('  LEFT OUT OF SERVICE (needs a person):');
    for (const n of report.leftOut) lines.push(`    ${n.name} (${n.id}): ${n.reason}: ${n.detail}`);
  }
  if (report.leftAtZero !== undefined && report.leftAtZero.length > 0) {
    lines.push('  LEFT AT WEIGHT 0 AS FOUND (needs a person; nothing was done to them):');
    for (const n of report.leftAtZero) lines.push(`    ${n.name} (${n.id}): ${n.detail}`);
  }
  if (report.stillAtZero !== undefined && report.outcome !== 'running') {
    lines.push(
      '  STILL AT WEIGHT 0 (found there, not reached; `drainctl resume` carries them through):',
    );
    for (const n of report.stillAtZero) lines.push(`    ${n.name} (${n.id}): ${n.detail}`);
  }
  if (report.unfinished.length > 0 && report.outcome !== 'running') {
    lines.push('  NOT FINISHED (may be out of service):');
    for (const n of report.unfinished) {
      lines.push(`    ${n.name} (${n.id}): ${n.state}, ${describeWeight(n)}`);
    }
  }
  for (const warning of report.warnings) lines.push(`  WARNING: ${warning}`);
  if (report.next !== undefined) lines.push(`  next: ${report.next}`);
  return lines;
}
