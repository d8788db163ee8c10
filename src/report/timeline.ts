/**
 * A run's timeline, from its journal alone: per server the phases it went through with their
 * times, its weight on the balancer, the drain's countdown and traffic, the runbook with each
 * step's progress, and the gates with what blocks them. One model for the page of `drainctl
 * serve`, `drainctl report --html` and `--json`. Pure: the journal and "now" are handed in.
 */

import type { JournalEntry, RunOutcome } from '../engine/journal/entries.js';
import { applyEntry, initialRunState, type RunState } from '../engine/journal/run-state.js';
import { isTerminal, type NodeState } from '../engine/policy/node-machine.js';
import {
  type AttachmentReport,
  attachmentsOf,
  fleetAttachments,
} from '../engine/reporting/attachment-report.js';
import { gateLines } from '../plan/index.js';
import type { PlanAttachment } from '../plan/types.js';
import { type RunbookProgress, runbookProgress, type StepMarks } from './runbook-progress.js';

/** The phases a server's row shows (the node states after `pending`). */
export type Phase = Exclude<NodeState, 'pending'>;

/** `running`/`interrupted` only when the caller knows whether a live process holds the run. */
export type TimelineOutcome = RunOutcome | 'running' | 'interrupted' | 'unfinished';

export interface PhaseSpan {
  phase: Phase;
  /** ISO times; `end` absent while the phase lasts. A terminal phase starts and ends at once. */
  start: string;
  end?: string;
}

export interface DrainView {
  /** When the weight went to 0 (the drain's wait counts from there). */
  since: string;
  quietSeconds: number;
  timeoutSeconds: number;
  /** When the drain gives up (`since` + `timeoutSeconds`). */
  deadline: string;
  /** Seconds until `deadline` at `now`, while the server is draining. */
  remainingSeconds?: number;
  /** What the probe concluded, once it did. */
  outcome?: string;
  realRequests?: number;
  waitedSeconds?: number;
  /** Real requests per second over the wait (the journal keeps the wait's totals). */
  requestsPerSecond?: number;
}

export interface ServerRow {
  id: string;
  name: string;
  batch: number;
  state: NodeState;
  phases: PhaseSpan[];
  /**
   * The weight on each balancer it is attached to, as this run last confirmed it. A fleet
   * server: each attachment of its plan, with `place` naming it for people.
   */
  attachments: Array<{ loadBalancerId: string; place?: string; weight?: number }>;
  /** Its weight when the plan was made (before this run changed anything). */
  plannedWeight?: number;
  /** The weight read right before its drain: what it comes back to. */
  originalWeight?: number;
  /** Every weight this run set on it and saw confirmed, in order. */
  weights: Array<{ at: string; weight: number }>;
  drain?: DrainView;
  reason?: string;
  detail?: string;
  /** A wait its step journaled as begun, until it moves on. */
  waiting?: { message: string; since: string; alertGate: boolean };
}

export interface GateView {
  /** The rules checked before each server leaves service, as the runbook lists them. */
  rules: string[];
  /** What blocks a server from leaving service now (gate waits) or did (a failed gate). */
  blocked: Array<{ node?: string; name?: string; at: string; message: string; alertGate: boolean }>;
  /** The last verdict of each server's gate. */
  verdicts: Array<{ node: string; name: string; at: string; passed: boolean; summary: string }>;
}

export interface Timeline {
  runId: string;
  workflow: { name: string; file: string };
  planSha256: string;
  /** The run's balancer; for a fleet run, the first of `loadBalancers`. */
  loadBalancer: { id?: string; name: string };
  /** A fleet run: every balancer its plan touches. */
  loadBalancers?: Array<{ id: string; name: string }>;
  startedBy?: string;
  startedAt: string;
  updatedAt: string;
  /** The time the model was made for (ISO): ongoing phases and countdowns end here. */
  now: string;
  outcome: TimelineOutcome;
  summary?: string;
  halt?: string;
  abortRequested?: string;
  warnings: string[];
  servers: ServerRow[];
  runbook: RunbookProgress;
  gates: GateView;
}

export interface TimelineInput {
  entries: readonly JournalEntry[];
  /** Wall-clock ms. */
  now: number;
  /** Whether a live process holds the run; unknown when the journal is all there is. */
  running?: boolean;
}

/** Journal facts the run state does not keep, gathered in the same single pass. */
interface Extras {
  marks: StepMarks;
  weights: Map<string, Array<{ at: string; weight: number }>>;
  drainedAt: Map<string, string>;
  drainProbe: Map<string, JournalEntry & { type: 'probe' }>;
  alertWaits: Set<string>;
  gates: Map<string, { at: string; passed: boolean; summary: string }>;
  failedGates: GateView['blocked'];
}

export function buildTimeline(input: TimelineInput): Timeline {
  const [first, ...rest] = input.entries;
  if (first === undefined || first.type !== 'plan') {
    throw new Error('journal does not start with its plan');
  }
  const state = initialRunState(first);
  const extras: Extras = {
    marks: { started: new Map(), ended: new Map() },
    weights: new Map(),
    drainedAt: new Map(),
    drainProbe: new Map(),
    alertWaits: new Set(),
    gates: new Map(),
    failedGates: [],
  };
  for (const entry of rest) {
    applyEntry(state, entry);
    collect(extras, state, entry);
  }
  const outcome = outcomeOf(state, input.running);
  const ended = outcome !== 'running' && outcome !== 'unfinished';
  const now = new Date(input.now).toISOString();
  const nameOf = (id: string) => state.nodes.get(id)?.name ?? id;
  const attachments = fleetAttachments(state);
  return {
    runId: state.runId,
    workflow: { name: state.plan.workflow.name, file: state.plan.workflow.file },
    planSha256: state.sha256,
    loadBalancer: {
      ...(state.refs.loadBalancerId === undefined ? {} : { id: state.refs.loadBalancerId }),
      name: state.plan.loadBalancer.name,
    },
    ...(state.plan.balancers === undefined
      ? {}
      : { loadBalancers: state.plan.balancers.map(({ id, name }) => ({ id, name })) }),
    ...(state.startedBy === undefined ? {} : { startedBy: state.startedBy }),
    startedAt: state.startedAt,
    updatedAt: state.updatedAt,
    now,
    outcome,
    ...(state.done === undefined ? {} : { summary: state.done.summary }),
    ...(state.halt === undefined ? {} : { halt: state.halt }),
    ...(state.abortRequested === undefined ? {} : { abortRequested: state.abortRequested }),
    warnings: [...state.warnings],
    servers: [...state.nodes.values()].map((node) =>
      serverRow(state, extras, node.id, { now: input.now, ended }, attachments.get(node.id)),
    ),
    runbook: runbookProgress(state, extras.marks, !ended && state.outcome === undefined),
    gates: {
      rules: gateLines(state.plan).slice(1),
      blocked: [
        ...extras.failedGates,
        ...[...state.nodes.values()]
          .filter((node) => node.waiting !== undefined && extras.alertWaits.has(node.id))
          .map((node) => ({
            node: node.id,
            name: node.name,
            at: node.waiting?.since ?? '',
            message: node.waiting?.message ?? '',
            alertGate: true,
          })),
      ],
      verdicts: [...extras.gates].map(([node, verdict]) => ({
        node,
        name: nameOf(node),
        ...verdict,
      })),
    },
  };
}

function outcomeOf(state: RunState, running: boolean | undefined): TimelineOutcome {
  if (state.outcome !== undefined) return state.outcome;
  if (running === undefined) return 'unfinished';
  return running ? 'running' : 'interrupted';
}

function collect(extras: Extras, state: RunState, entry: JournalEntry): void {
  const step = 'step' in entry && typeof entry.step === 'string' ? entry.step : undefined;
  if (step !== undefined && !extras.marks.started.has(step)) {
    extras.marks.started.set(step, entry.ts);
  }
  switch (entry.type) {
    case 'step':
      extras.marks.ended.set(entry.step, entry.ts);
      if (entry.action === 'node.drain' && entry.status === 'ok' && entry.node !== undefined) {
        extras.drainedAt.set(entry.node, entry.ts);
      }
      break;
    case 'result':
      if (entry.op === 'set-weight' && entry.applied) {
        const server = String(entry.after.serverId);
        const list = extras.weights.get(server) ?? [];
        list.push({ at: entry.ts, weight: Number(entry.after.weight) });
        extras.weights.set(server, list);
      }
      break;
    case 'probe':
      if (entry.kind === 'drain' && entry.recheck !== true && entry.node !== undefined) {
        extras.drainProbe.set(entry.node, entry);
      }
      break;
    case 'note':
      if (entry.waiting === true && entry.node !== undefined) {
        if (entry.alertGate === true) extras.alertWaits.add(entry.node);
        else extras.alertWaits.delete(entry.node);
      }
      break;
    case 'gate':
      if (entry.node === undefined || entry.recheck === true) break;
      extras.gates.set(entry.node, { at: entry.ts, passed: entry.passed, summary: entry.summary });
      if (!entry.passed) {
        extras.failedGates.push({
          node: entry.node,
          name: state.nodes.get(entry.node)?.name ?? entry.node,
          at: entry.ts,
          message: entry.summary,
          alertGate: entry.checks.some((check) => check.name === 'alerts' && !check.passed),
        });
      }
      break;
    case 'retry':
      extras.drainProbe.delete(entry.node);
      extras.drainedAt.delete(entry.node);
      break;
    default:
      break;
  }
}

function serverRow(
  state: RunState,
  extras: Extras,
  id: string,
  at: { now: number; ended: boolean },
  fleet: PlanAttachment[] | undefined,
): ServerRow {
  const node = state.nodes.get(id);
  if (node === undefined) throw new Error(`no node ${id}`);
  const lb = state.refs.loadBalancerId ?? state.plan.loadBalancer.name;
  const weight = state.weights.get(id);
  const drain = drainView(state, extras, id, at.now, at.ended);
  const planned = state.plan.nodes.find((candidate) => candidate.id === id)?.weight;
  return {
    id,
    name: node.name,
    batch: node.batch,
    state: node.state,
    phases: phaseSpans(node.timeline, at.ended ? state.updatedAt : undefined),
    attachments:
      fleet === undefined
        ? [{ loadBalancerId: lb, ...(weight === undefined ? {} : { weight }) }]
        : placesOf(attachmentsOf(state, id, fleet).attachments ?? [], fleet),
    ...(planned === undefined ? {} : { plannedWeight: planned }),
    ...(node.originalWeight === undefined ? {} : { originalWeight: node.originalWeight }),
    weights: extras.weights.get(id) ?? [],
    ...(drain === undefined ? {} : { drain }),
    ...(node.reason === undefined ? {} : { reason: node.reason }),
    ...(node.detail === undefined ? {} : { detail: node.detail }),
    ...(node.waiting === undefined
      ? {}
      : { waiting: { ...node.waiting, alertGate: extras.alertWaits.has(id) } }),
  };
}

/**
 * Consecutive states become spans; `pending` shows as nothing. The last span of a server that
 * has not reached an end state lasts until now, or until the journal's last entry when the run
 * is over (an interrupted run's server stays where the journal left it).
 */
function phaseSpans(
  timeline: ReadonlyArray<{ state: NodeState; at: string }>,
  endedAt: string | undefined,
): PhaseSpan[] {
  const spans: PhaseSpan[] = [];
  timeline.forEach((point, index) => {
    if (point.state === 'pending') return;
    const next = timeline[index + 1];
    const end = isTerminal(point.state) ? point.at : (next?.at ?? endedAt);
    spans.push({ phase: point.state, start: point.at, ...(end === undefined ? {} : { end }) });
  });
  return spans;
}

function drainView(
  state: RunState,
  extras: Extras,
  id: string,
  now: number,
  ended: boolean,
): DrainView | undefined {
  const step = state.plan.steps.find((s) => s.node === id && s.action === 'node.wait-drained');
  const since = extras.drainedAt.get(id);
  if (step?.action !== 'node.wait-drained' || since === undefined) return undefined;
  const { quietSeconds, timeoutSeconds } = step.params;
  const deadlineMs = Date.parse(since) + timeoutSeconds * 1000;
  const probe = extras.drainProbe.get(id);
  const node = state.nodes.get(id);
  const waits = !ended && probe === undefined && node?.state === 'draining';
  const real = probe?.data?.realRequests;
  const waited = probe?.data?.waitedSeconds;
  return {
    since,
    quietSeconds,
    timeoutSeconds,
    deadline: new Date(deadlineMs).toISOString(),
    ...(waits ? { remainingSeconds: Math.max(0, Math.round((deadlineMs - now) / 1000)) } : {}),
    ...(probe === undefined ? {} : { outcome: probe.outcome }),
    ...(typeof real === 'number' ? { realRequests: real } : {}),
    ...(typeof waited === 'number' ? { waitedSeconds: waited } : {}),
    ...(typeof real === 'number' && typeof waited === 'number' && waited > 0
      ? { requestsPerSecond: Math.round((real / waited) * 10) / 10 }
      : {}),
  };
}

/** A fleet server's row: each attachment by its label, at the weight last confirmed there. */
function placesOf(
  reported: AttachmentReport[],
  planned: PlanAttachment[],
): ServerRow['attachments'] {
  return reported.map((a, index) => ({
    loadBalancerId: planned[index]?.loadBalancerId ?? a.key,
    place: a.label,
    weight: a.weightAfter,
  }));
}
