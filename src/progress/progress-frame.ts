/**
 * The live frame a terminal redraws while a run goes: the night's elapsed time and ETA, then per
 * balancer each server with its state, weight, the drain's countdown, its current step and what
 * it waits on, then the gates that block. Built from the run page's timeline model (one reading
 * of the journal for every view). Pure: the caller hands "now" in.
 */
import type { JournalEntry } from '../engine/journal/entries.js';
import { isTerminal } from '../engine/policy/node-machine.js';
import { formatDuration } from '../plan/index.js';
import type { Step } from '../plan/types.js';
import { buildTimeline, type ServerRow, type Timeline } from '../report/index.js';

export interface NightEta {
  elapsedSeconds: number;
  estimateSeconds: number;
  /** Seconds still expected: the plan's estimate less the time gone, never below 0. */
  remainingSeconds: number;
  /** Seconds past the estimate (0 while within it). */
  overSeconds: number;
}

/** The ETA of a night: the plan's estimate against the time since the run started. */
export function nightEta(estimateSeconds: number, startedAt: string, now: number): NightEta {
  const elapsedSeconds = Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000));
  return {
    elapsedSeconds,
    estimateSeconds,
    remainingSeconds: Math.max(0, estimateSeconds - elapsedSeconds),
    overSeconds: Math.max(0, elapsedSeconds - estimateSeconds),
  };
}

/** `entries` start with the plan; `now` is wall-clock ms. */
export function progressFrame(entries: readonly JournalEntry[], now: number): string[] {
  const first = entries[0];
  if (first?.type !== 'plan') return [];
  // Shown only while this process runs it: the journal is being written now.
  const timeline = buildTimeline({ entries, now, running: true });
  const lines = [header(timeline, first.plan.estimate.totalSeconds, now)];
  const current = currentStepByServer(timeline);
  const fixedWaits = fixedDrainWaits(first.plan.steps);
  for (const [balancer, servers] of byBalancer(timeline)) {
    lines.push(`balancer ${balancer}`);
    for (const server of servers) {
      lines.push(...serverLines(server, current.get(server.id), fixedWaits.get(server.id), now));
    }
  }
  for (const blocked of timeline.gates.blocked.slice(-3)) {
    lines.push(`gate: ${blocked.name ?? 'run'} blocked: ${blocked.message}`);
  }
  if (timeline.abortRequested !== undefined) {
    lines.push(`abort requested (${timeline.abortRequested})`);
  }
  if (timeline.halt !== undefined) lines.push(`halting: ${timeline.halt}`);
  if (timeline.summary !== undefined) lines.push(`${timeline.outcome}: ${timeline.summary}`);
  return lines;
}

/** What matters most comes first: a narrow terminal cuts the line's end. */
function header(timeline: Timeline, estimateSeconds: number, now: number): string {
  const finished = timeline.servers.filter((s) => isTerminal(s.state)).length;
  const rest = `${finished}/${timeline.servers.length} servers finished · run ${timeline.runId} ${timeline.workflow.name}`;
  if (timeline.summary !== undefined) {
    // Over: its length is the journal's, not the time this frame is drawn.
    const took = nightEta(estimateSeconds, timeline.startedAt, Date.parse(timeline.updatedAt));
    return `took ${formatDuration(took.elapsedSeconds)} (${formatDuration(estimateSeconds)} estimated) · ${rest}`;
  }
  const eta = nightEta(estimateSeconds, timeline.startedAt, now);
  const left =
    eta.overSeconds > 0
      ? `${formatDuration(eta.overSeconds)} over the estimate`
      : `ETA ${formatDuration(eta.remainingSeconds)}`;
  return `${left} · elapsed ${formatDuration(eta.elapsedSeconds)} of ${formatDuration(estimateSeconds)} estimated · ${rest}`;
}

/** Servers whose drain waits a fixed time with no probe (`probe: none`): no quiet, no timeout. */
function fixedDrainWaits(steps: readonly Step[]): Map<string, number> {
  const waits = new Map<string, number>();
  for (const step of steps) {
    if (step.action === 'node.wait-drained' && step.node !== undefined) {
      if (step.params.probe.kind === 'none') waits.set(step.node, step.params.probe.waitSeconds);
    }
  }
  return waits;
}

/** The description of each server's step in progress (the runbook's current steps). */
function currentStepByServer(timeline: Timeline): Map<string, string> {
  const steps = new Map<string, string>();
  for (const step of timeline.runbook.steps) {
    if (step.status === 'current' && step.node !== undefined && !steps.has(step.node)) {
      steps.set(step.node, step.description);
    }
  }
  return steps;
}

/** Servers under each balancer they are attached to, in the plan's order. */
function byBalancer(timeline: Timeline): Map<string, ServerRow[]> {
  const groups = new Map<string, ServerRow[]>();
  for (const server of timeline.servers) {
    for (const attachment of server.attachments) {
      const name =
        attachment.loadBalancerId === timeline.loadBalancer.id ||
        attachment.loadBalancerId === timeline.loadBalancer.name
          ? `${timeline.loadBalancer.name}${timeline.loadBalancer.id === undefined ? '' : ` (${timeline.loadBalancer.id})`}`
          : attachment.loadBalancerId;
      const list = groups.get(name) ?? [];
      list.push({ ...server, attachments: [attachment] });
      groups.set(name, list);
    }
  }
  return groups;
}

function serverLines(
  server: ServerRow,
  step: string | undefined,
  fixedWaitSeconds: number | undefined,
  now: number,
): string[] {
  const weight = server.attachments[0]?.weight ?? server.plannedWeight;
  const was =
    server.originalWeight !== undefined && weight !== server.originalWeight
      ? ` (was ${server.originalWeight})`
      : '';
  const why = server.reason === undefined ? '' : ` (${server.reason})`;
  const lines = [
    `  ${server.name.padEnd(12)} ${server.id.padEnd(22)} ${`${server.state}${why}`.padEnd(12)} ` +
      `weight ${weight === undefined ? '?' : String(weight)}${was}`,
  ];
  const drain = server.drain;
  if (drain?.remainingSeconds !== undefined && fixedWaitSeconds !== undefined) {
    const left = fixedWaitSeconds - (now - Date.parse(drain.since)) / 1000;
    lines.push(
      `    drain: no probe, waits ${formatDuration(fixedWaitSeconds)}, ${formatDuration(Math.max(0, left))} left`,
    );
  } else if (drain?.remainingSeconds !== undefined) {
    lines.push(
      `    drain: quiet ${formatDuration(drain.quietSeconds)} needed, gives up in ${formatDuration(drain.remainingSeconds)} (timeout ${formatDuration(drain.timeoutSeconds)})`,
    );
  }
  if (step !== undefined && !isTerminal(server.state)) lines.push(`    step: ${step}`);
  if (server.waiting !== undefined) {
    lines.push(
      `    ${server.waiting.alertGate ? 'alert gate' : 'waits'}: ${server.waiting.message}`,
    );
  }
  return lines;
}
