/**
 * What a message says about an event, before any platform dresses it: a title and plain lines.
 * Every platform renders these same words, so a room on DingTalk and one on Slack read alike.
 */
import type { NotifyEvent } from '../ports/index.js';

export interface EventText {
  title: string;
  lines: string[];
  /** The run the event is about: the link to its page goes here. */
  runId?: string;
}

/** @example describeEvent(finished).title === 'kernel-patch: run r-1 completed' */
export function describeEvent(event: NotifyEvent): EventText {
  const run = 'runId' in event && event.runId !== undefined ? { runId: event.runId } : {};
  const of = `${event.workflow}:`;
  switch (event.kind) {
    case 'planned':
      return {
        title: `${of} planned${event.schedule === undefined ? '' : ` (schedule ${event.schedule})`}`,
        lines: [`plan sha256 ${event.planSha256}`, `servers: ${listed(event.nodes)}`],
      };
    case 'started':
      return {
        ...run,
        title: `${of} run ${event.runId} ${event.resumed ? 'resumed' : 'started'}`,
        lines: [`plan sha256 ${event.planSha256}`, `servers: ${listed(event.nodes)}`],
      };
    case 'node-done':
      return {
        ...run,
        title: `${of} ${event.node} patched and back in service`,
        lines: versions(event.before, event.after),
      };
    case 'node-left-out':
      return {
        ...run,
        title: `${of} ${event.node} left out of service (${event.reason})`,
        lines: event.detail === undefined ? [] : [event.detail],
      };
    case 'halted':
      return { ...run, title: `${of} run ${event.runId} halting`, lines: [event.reason] };
    case 'aborted':
      return {
        ...run,
        title: `${of} run ${event.runId} aborted`,
        lines: [`asked by ${event.source}`],
      };
    case 'finished':
      return {
        ...run,
        title: `${of} run ${event.runId} ${event.outcome} in ${duration(event.durationMs)}`,
        lines: [
          event.summary,
          ...event.patched.map(
            (p) => `${p.node}: ${versions(p.before, p.after).join('') || 'patched'}`,
          ),
          ...event.leftOut.map((l) => `${l.node}: left out (${l.reason})`),
        ],
      };
    case 'approval-needed':
      return {
        title: `${of} schedule ${event.schedule} waits for approval: the plan changed`,
        lines: [
          `new plan sha256 ${event.planSha256}`,
          ...(event.approvedSha256 === undefined ? [] : [`last approved ${event.approvedSha256}`]),
        ],
      };
    case 'schedule-skipped':
      return {
        title: `${of} schedule ${event.schedule} skipped (${event.reason})`,
        lines: [event.detail],
      };
    case 'alert-gate-blocking':
      return {
        ...run,
        title: `${of} alert gate blocking${event.node === undefined ? '' : ` before ${event.node}`}`,
        lines: [event.reason],
      };
  }
}

function listed(nodes: string[]): string {
  return nodes.length === 0 ? 'none' : nodes.join(', ');
}

function versions(before: string | undefined, after: string | undefined): string[] {
  if (before === undefined && after === undefined) return [];
  return [`${before ?? '?'} → ${after ?? '?'}`];
}

/** `1 h 02 min`, `4 min 05 s`, `12 s`. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
