/**
 * The plan as a numbered runbook a person can paste into a change ticket and follow: what it
 * works on, the safety gates, the batch order, every step with its undo, and the total time.
 * `drainctl plan` prints exactly this; `drainctl run` executes exactly the steps it lists.
 */

import { describeAlertQuery, describeAlertWait } from './alert-gate-plan.js';
import { boundFor } from './at-zero.js';
import { formatDuration } from './describe.js';
import { PATCH_COMMAND_SECONDS, REBOOT_SECONDS } from './estimates.js';
import { describeRedis } from './redis-inventory.js';
import { rerunWarnings } from './rerun-safety.js';
import type { Plan, Step } from './types.js';
import { undoLine } from './undo.js';

/**
 * @example process.stdout.write(renderRunbook(plan));
 */
export function renderRunbook(plan: Plan): string {
  const lines: string[] = [];
  const balancer = plan.loadBalancer.create
    ? `${plan.loadBalancer.name} (created by this run)`
    : `${plan.loadBalancer.name} (${plan.loadBalancer.id})`;
  lines.push(`drainctl runbook: ${plan.workflow.name}`);
  lines.push('');
  lines.push(
    `  Workflow:       ${plan.workflow.file} (sha256 ${plan.workflow.sha256.slice(0, 12)}…)`,
  );
  lines.push(`  Region:         ${plan.region}`);
  lines.push(
    plan.balancers === undefined
      ? `  Load balancer:  ${balancer}`
      : `  Load balancers: ${plan.balancers.map((lb) => `${lb.name || lb.id} (${lb.id})`).join(', ')} (each locked by the run)`,
  );
  lines.push(`  Observed at:    ${plan.inventory.observedAt}`);
  if (plan.inventory.redis !== undefined) {
    const { label, text } = describeRedis(plan.inventory.redis);
    lines.push(`  ${`${label}:`.padEnd(16)}${text}: as expected`);
  }
  lines.push(`  Plan sha256:    ${plan.sha256}`);
  lines.push(
    `  Estimated time: ${formatDuration(plan.estimate.totalSeconds)}${estimateBasis(plan)}`,
  );
  lines.push('');
  lines.push(...gateLines(plan));
  lines.push('');
  lines.push('Batch order (batches run one after the other; servers within a batch together):');
  if (plan.batches.length === 0) lines.push('  (no servers to roll over)');
  for (const batch of plan.batches) {
    const names = batch.nodes.map((id) => {
      const node = plan.nodes.find((candidate) => candidate.id === id);
      const group = node?.group === undefined ? '' : `, group ${node.group}`;
      const bound = node === undefined ? undefined : boundFor(node.id, node);
      const back = bound === undefined ? '' : ` → ${bound.weight}`;
      return node === undefined ? id : `${id} (${node.name}, weight ${node.weight}${back}${group})`;
    });
    lines.push(`  ${batch.index}. ${names.join('; ')}`);
  }
  const notes = [...(plan.notes ?? []), ...rerunWarnings(plan)];
  if (notes.length > 0) {
    lines.push('');
    lines.push('Already in place, or worth knowing:');
    for (const note of notes) lines.push(`  - ${note}`);
  }
  lines.push('');
  lines.push('Steps:');
  const width = String(plan.steps.length).length;
  let section = '';
  for (const step of plan.steps) {
    const heading = sectionOf(step);
    if (heading !== section) {
      section = heading;
      lines.push('');
      lines.push(`  ${heading}`);
    }
    const number = String(step.index).padStart(width, ' ');
    lines.push(`  ${number}. ${step.description}  [~${formatDuration(step.expectedSeconds)}]`);
    lines.push(`  ${' '.repeat(width)}  undo: ${undoLine(step.inverse)}`);
  }
  lines.push('');
  lines.push(`Estimated total: ${formatDuration(plan.estimate.totalSeconds)}.`);
  const warning = windowWarning(plan);
  if (warning !== undefined) lines.push(warning);
  lines.push(
    `To execute exactly this plan, approve its sha256 (${plan.sha256.slice(0, 12)}…): a run whose plan differs in any step, parameter or batch has another hash.`,
  );
  return `${lines.join('\n')}\n`;
}

/** The gates the runbook lists, one line each: what the page and the run report show too. */
export function gateLines(plan: Plan): string[] {
  const policy = plan.rollout;
  const lines = [
    'Gates (checked live before each server leaves service; a gate that cannot be evaluated blocks):',
  ];
  if (policy !== undefined) {
    lines.push(
      plan.balancers === undefined
        ? `  - at least ${policy.minHealthy} healthy, weighted backend(s) stay on the balancer`
        : `  - at least ${policy.minHealthy} healthy, weighted server(s) stay in each group a server leaves (a balancer's default server group, a vServer group)`,
    );
    lines.push(`  - at most ${policy.maxUnavailable} server(s) of this run out of service at once`);
  }
  const groups = new Map<string, string[]>();
  for (const node of plan.nodes) {
    if (node.group !== undefined)
      groups.set(node.group, [...(groups.get(node.group) ?? []), node.id]);
  }
  for (const [group, members] of groups) {
    lines.push(`  - group ${group}: ${members.join(', ')} never out of service together`);
  }
  if (policy?.windowEnd !== undefined) {
    lines.push(
      `  - maintenance window ends ${policy.windowEnd}: a server starts only if its expected time fits`,
    );
  }
  if (plan.alertGate !== undefined) {
    lines.push(
      `  - alert gate: nothing matches ${describeAlertQuery(plan.alertGate)}; ${describeAlertWait(plan.alertGate)}; Prometheus unreachable or an error blocks`,
    );
  }
  lines.push(
    plan.stopOnFailure !== false
      ? '  - the first server that fails halts the rollout (servers not started stay untouched)'
      : '  - a failed server is left out and reported; the rollout goes on',
  );
  return lines;
}

/**
 * What the estimate assumes where a rehearsal differs most: patch commands and reboots at the
 * real cloud's speed (estimates.ts), which the emulator does in seconds.
 */
function estimateBasis(plan: Plan): string {
  const parts: string[] = [];
  if (plan.steps.some((step) => step.action === 'node.patch')) {
    parts.push(`~${formatDuration(PATCH_COMMAND_SECONDS)} per patch command`);
  }
  if (plan.steps.some((step) => step.action === 'node.reboot')) {
    parts.push(`~${formatDuration(REBOOT_SECONDS)} per reboot`);
  }
  if (parts.length === 0) return '';
  return ` (real-cloud figures: ${parts.join(', ')}; the emulator takes seconds for these)`;
}

/** The runbook's section a step is printed under: `Prepare`, `Batch 2`, `Finish`. */
export function sectionOf(step: Step): string {
  if (step.phase === 'prepare') return 'Prepare';
  if (step.phase === 'finish') return 'Finish';
  return `Batch ${step.batch ?? '?'}`;
}

function windowWarning(plan: Plan): string | undefined {
  const end = plan.rollout?.windowEnd;
  if (end === undefined) return undefined;
  const observed = Date.parse(plan.inventory.observedAt);
  const deadline = Date.parse(end);
  if (Number.isNaN(observed) || Number.isNaN(deadline)) return undefined;
  const finish = observed + plan.estimate.totalSeconds * 1000;
  if (finish <= deadline) return undefined;
  return `WARNING: started now, the rollout would need until ${new Date(finish).toISOString()}, past the window's end (${end}); the gate will stop before a server that does not fit.`;
}
