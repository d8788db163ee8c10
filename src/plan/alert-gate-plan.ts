/**
 * The workflow's `alertGate` as the plan carries it, and the words the runbook uses for it —
 * one description, so the Gates section and each node's gate step say the same thing.
 */
import type { WorkflowSpec } from '../workflow/index.js';
import { formatDuration } from './describe.js';
import type { PlanAlertGate } from './types.js';

export function planAlertGate(gate: NonNullable<WorkflowSpec['alertGate']>): PlanAlertGate {
  return {
    prometheusUrl: gate.prometheusUrl,
    query: gate.query,
    labels: gate.labels,
    timeoutMs: gate.timeoutMs,
    ...(gate.auth === undefined ? {} : { auth: gate.auth }),
    maxWaitMinutes: gate.maxWaitMinutes,
    pollSeconds: gate.pollSeconds,
  };
}

/** `ALERTS{alertstate="firing"} with severity="critical" on http://prom:9090` (no credentials). */
export function describeAlertQuery(gate: PlanAlertGate): string {
  const labels = Object.entries(gate.labels).map(([key, value]) => `${key}="${value}"`);
  const filter = labels.length === 0 ? '' : ` with ${labels.join(', ')}`;
  const auth =
    gate.auth === undefined ? '' : 'bearerToken' in gate.auth ? ', bearer token' : ', basic auth';
  return `${gate.query}${filter} on ${gate.prometheusUrl}${auth}`;
}

/** What a blocked gate does, for the Gates section: wait, then halt. */
export function describeAlertWait(gate: PlanAlertGate): string {
  if (gate.maxWaitMinutes === 0) return 'while it returns anything the rollout halts at once';
  return `while it returns anything the server waits (asked every ${waitTerms(gate)}), then the rollout halts with it untouched`;
}

/** The same, as one clause of a node's gate step. */
export function describeAlertHold(gate: PlanAlertGate): string {
  if (gate.maxWaitMinutes === 0) return 'nothing matches the alert query, else the rollout halts';
  return `nothing matches the alert query, else it waits in service (asked every ${waitTerms(gate)}) and then the rollout halts`;
}

function waitTerms(gate: PlanAlertGate): string {
  return `${formatDuration(gate.pollSeconds)}, up to ${formatDuration(gate.maxWaitMinutes * 60)}`;
}
