/**
 * The checklist lines about the servers a workflow selects: they exist, run, are attached,
 * are healthy, and the minHealthy budget lets them leave. Pure.
 */
import {
  describeJudged,
  healthyOnBalancer,
  type JudgedHealth,
  judgedHealth,
} from '../listener/index.js';
import type { ObservedInventory } from '../plan/types.js';
import type { InstanceInfo } from '../ports/index.js';
import type { WorkflowSpec } from '../workflow/index.js';
import { type CheckLine, formatTags, type Observed } from './inspect-check-line.js';

interface Selection {
  /** What the workflow names (ids), when it names them. */
  named: string[] | undefined;
  found: InstanceInfo[];
}

export function selectedInstances(
  spec: WorkflowSpec,
  inventory: ObservedInventory,
  lb: Observed | undefined,
): Selection {
  const { backends } = spec;
  if (backends.instances !== undefined) {
    const named = backends.instances.map((entry) => (typeof entry === 'string' ? entry : entry.id));
    const byId = new Map(inventory.instances.map((i) => [i.id, i]));
    return { named, found: named.flatMap((id) => byId.get(id) ?? []) };
  }
  if (backends.all === true && lb !== undefined) {
    const named = lb.backends.map((b) => b.serverId);
    return { named, found: inventory.instances.filter((i) => named.includes(i.id)) };
  }
  return { named: undefined, found: inventory.instances };
}

export function existLine(
  spec: WorkflowSpec,
  inventory: ObservedInventory,
  selected: Selection,
): CheckLine {
  const title = 'every named backend exists';
  if (selected.named === undefined) {
    const tags = spec.backends.tags ?? {};
    return {
      id: 'backends-exist',
      title: 'the tag selector finds servers',
      status: selected.found.length > 0 ? 'pass' : 'fail',
      detail: `${formatTags(tags)} selects ${selected.found.length} instance(s) in ${inventory.region}`,
    };
  }
  const missing = selected.named.filter((id) => !selected.found.some((i) => i.id === id));
  if (selected.named.length === 0) {
    return { id: 'backends-exist', title, status: 'fail', detail: 'the balancer has no backends' };
  }
  return {
    id: 'backends-exist',
    title,
    status: missing.length === 0 ? 'pass' : 'fail',
    detail:
      missing.length === 0
        ? `${selected.named.length} of ${selected.named.length} found`
        : `not found in ${inventory.region}: ${missing.join(', ')}`,
  };
}

export function runningLine(found: InstanceInfo[]): CheckLine {
  const notRunning = found.filter((i) => i.status !== 'Running');
  return {
    id: 'instances-running',
    title: 'every server is Running',
    status: found.length > 0 && notRunning.length === 0 ? 'pass' : 'fail',
    detail:
      notRunning.length === 0
        ? `${found.length} Running`
        : notRunning.map((i) => `${i.id} is ${i.status}`).join(', '),
  };
}

export function attachedLine(found: InstanceInfo[], lb: Observed | undefined): CheckLine {
  const title = 'every server is attached to the balancer';
  if (lb === undefined) {
    return {
      id: 'backends-attached',
      title,
      status: 'pass',
      detail: 'the run attaches them to the new balancer',
    };
  }
  const attached = new Map(lb.backends.map((b) => [b.serverId, b]));
  const missing = found.filter((i) => !attached.has(i.id));
  return {
    id: 'backends-attached',
    title,
    status: missing.length === 0 ? 'pass' : 'fail',
    detail:
      missing.length === 0
        ? found.map((i) => `${i.name} weight ${attached.get(i.id)?.weight}`).join(', ')
        : `not attached to ${lb.id}: ${missing.map((i) => i.id).join(', ')}`,
  };
}

/**
 * Healthy as the gates and the planner judge it (src/listener); otherwise the worse word for
 * the line: `abnormal` when a listener that judges it says so, else `unavailable`.
 */
function healthOf(judged: JudgedHealth, serverId: string): 'normal' | 'abnormal' | 'unavailable' {
  if (healthyOnBalancer(judged, serverId)) return 'normal';
  return judged.entries.some((h) => h.serverId === serverId && h.health === 'abnormal')
    ? 'abnormal'
    : 'unavailable';
}

export function healthLine(found: InstanceInfo[], lb: Observed | undefined): CheckLine {
  const title = 'the balancer sees every serving server healthy';
  if (lb === undefined) {
    return {
      id: 'health',
      title,
      status: 'skip',
      detail: 'no balancer yet: the run proves the path before DNS moves',
    };
  }
  const judged = judgedHealth(lb.health, lb.listenerDetails);
  const serving = lb.backends.filter((b) => b.weight > 0 && found.some((i) => i.id === b.serverId));
  const bad = serving
    .map((b) => ({ id: b.serverId, health: healthOf(judged, b.serverId) }))
    .filter((b) => b.health !== 'normal');
  const how = describeJudged(judged);
  return {
    id: 'health',
    title,
    status: bad.length === 0 ? 'pass' : 'fail',
    detail:
      bad.length === 0
        ? `${serving.length} serving, all normal (${how})`
        : `${bad.map((b) => `${b.id} ${b.health}`).join(', ')} (${how})`,
  };
}

export function budgetLine(
  spec: WorkflowSpec,
  found: InstanceInfo[],
  lb: Observed | undefined,
): CheckLine {
  const title = 'the minHealthy budget lets servers leave';
  // Without a balancer every selected server will serve once the run has prepared it.
  const servingIds =
    lb === undefined
      ? found.map((i) => i.id)
      : lb.backends.filter((b) => b.weight > 0).map((b) => b.serverId);
  const judged = lb === undefined ? undefined : judgedHealth(lb.health, lb.listenerDetails);
  const healthy =
    judged === undefined
      ? servingIds.length
      : servingIds.filter((id) => healthyOnBalancer(judged, id)).length;
  const minHealthy = resolveCount(spec.rollout.minHealthy, servingIds.length, 'up');
  const maxUnavailable = Math.max(
    1,
    resolveCount(spec.rollout.maxUnavailable, found.length, 'down'),
  );
  const canLeave = Math.min(maxUnavailable, healthy - minHealthy);
  return {
    id: 'budget',
    title,
    status: canLeave >= 1 ? 'pass' : 'fail',
    detail:
      canLeave >= 1
        ? `${healthy} healthy serving, minHealthy ${minHealthy}: up to ${canLeave} out at once (maxUnavailable ${maxUnavailable})`
        : `${healthy} healthy serving, minHealthy ${minHealthy}: no server can leave without breaking it`,
  };
}

/** A count, or a percent of `of` rounded as the rollout schema says. */
function resolveCount(value: number | string, of: number, round: 'up' | 'down'): number {
  if (typeof value === 'number') return value;
  const share = (Number(value.replace('%', '')) * of) / 100;
  return round === 'up' ? Math.ceil(share) : Math.floor(share);
}
