/**
 * The checklist of `drainctl inspect`: what ops teams check by hand before a change, computed
 * from a workflow and a read-only observation of the live world. Pure: no I/O. Each line passes
 * or fails on its own and says why in one line; `skip` means it could not be checked.
 */
import { balancerTags } from '../../plan/balancer-identity.js';
import { listenerConfig, listenerDifferences } from '../../plan/listener-config.js';
import type { ObservedInventory } from '../../plan/types.js';
import type { InstanceInfo } from '../../ports/index.js';
import type { WorkflowSpec } from '../../spec/index.js';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckLine {
  /** Stable id for scripts: `credentials`, `balancer`, `listener:tcp:8080`, … */
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
}

type Observed = NonNullable<ObservedInventory['loadBalancer']>;

/** Every line, in the order people read them. */
export function inspectChecklist(
  spec: WorkflowSpec,
  inventory: ObservedInventory,
  planner: { ok: true } | { ok: false; problems: string[] },
): CheckLine[] {
  const lb = inventory.loadBalancer;
  const selected = selectedInstances(spec, inventory, lb);
  return [
    {
      id: 'credentials',
      title: 'credentials and region work',
      status: 'pass',
      detail: `read SLB, ECS${spec.dns ? ' and Alidns' : ''} in ${inventory.region}`,
    },
    balancerLine(spec, lb),
    ...listenerLines(spec, lb),
    existLine(spec, inventory, selected),
    runningLine(selected.found),
    attachedLine(selected.found, lb),
    healthLine(selected.found, lb),
    budgetLine(spec, selected.found, lb),
    ...dnsLines(spec, inventory),
    planner.ok
      ? {
          id: 'plan',
          title: 'the planner accepts the workflow',
          status: 'pass',
          detail: 'drainctl plan would print a runbook',
        }
      : {
          id: 'plan',
          title: 'the planner accepts the workflow',
          status: 'fail',
          detail: planner.problems.join('; '),
        },
  ];
}

/** Failures that mean the cloud itself could not be read with these settings. */
const ACCESS_CODES = new Set([
  'CLOUD_CREDENTIALS_MISSING',
  'CLOUD_CREDENTIALS_REJECTED',
  'CLOUD_PERMISSION_DENIED',
  'CLOUD_REGION_INVALID',
  'CLOUD_ENDPOINT_UNREACHABLE',
]);

/** When the observation itself failed: one line says why, the rest is not checked. */
export function unobservedChecklist(code: string, reason: string): CheckLine[] {
  const access = ACCESS_CODES.has(code);
  return [
    access
      ? { id: 'credentials', title: 'credentials and region work', status: 'fail', detail: reason }
      : { id: 'observe', title: 'the live world can be read', status: 'fail', detail: reason },
    {
      id: 'inventory',
      title: 'the rest of the checklist',
      status: 'skip',
      detail: 'not checked: nothing could be read from the cloud',
    },
  ];
}

function balancerLine(spec: WorkflowSpec, lb: Observed | undefined): CheckLine {
  const title = 'load balancer';
  const { id, create } = spec.loadBalancer;
  if (lb !== undefined) {
    const active = lb.status === 'active';
    const how = id !== undefined ? '' : ` (found again by name ${lb.name} and its tags)`;
    return {
      id: 'balancer',
      title,
      status: active ? 'pass' : 'fail',
      detail: `${lb.name} (${lb.id}) is ${lb.status}${how}`,
    };
  }
  if (id !== undefined) {
    return { id: 'balancer', title, status: 'fail', detail: `${id} does not exist in this region` };
  }
  const tags = create === undefined ? {} : balancerTags(create);
  return {
    id: 'balancer',
    title,
    status: create === undefined ? 'fail' : 'pass',
    detail:
      create === undefined
        ? 'the workflow names no balancer'
        : `${create.name} will be created (none found with tags ${formatTags(tags)})`,
  };
}

function listenerLines(spec: WorkflowSpec, lb: Observed | undefined): CheckLine[] {
  if (spec.loadBalancer.listeners.length === 0) {
    if (lb === undefined) return [];
    const running = lb.listenerDetails.filter((l) => l.status === 'running');
    return [
      {
        id: 'listeners',
        title: "the balancer's listeners",
        status: running.length > 0 ? 'pass' : 'fail',
        detail:
          lb.listenerDetails.map((l) => `${l.protocol}:${l.port} ${l.status}`).join(', ') ||
          'none: nothing to drain from',
      },
    ];
  }
  return spec.loadBalancer.listeners.map((listenerSpec) => {
    const wanted = listenerConfig(listenerSpec);
    const id = `listener:${wanted.protocol}:${wanted.port}`;
    const title = `listener ${wanted.protocol}:${wanted.port}`;
    const live = lb?.listenerDetails.find((l) => l.port === wanted.port);
    if (live === undefined) {
      return { id, title, status: 'pass', detail: 'will be created and started by the run' };
    }
    const differences = listenerDifferences(live, wanted);
    if (differences.length > 0) {
      return { id, title, status: 'fail', detail: `exists but differs: ${differences.join('; ')}` };
    }
    return {
      id,
      title,
      status: 'pass',
      detail:
        live.status === 'running' ? 'exists and runs' : `exists, ${live.status}; the run starts it`,
    };
  });
}

interface Selection {
  /** What the workflow names (ids), when it names them. */
  named: string[] | undefined;
  found: InstanceInfo[];
}

function selectedInstances(
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

function existLine(
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

function runningLine(found: InstanceInfo[]): CheckLine {
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

function attachedLine(found: InstanceInfo[], lb: Observed | undefined): CheckLine {
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

/** Healthy on every listener that checks it, and checked by at least one (as the gates count). */
function healthOf(lb: Observed, serverId: string): 'normal' | 'abnormal' | 'unavailable' {
  const entries = lb.health.filter((h) => h.serverId === serverId);
  if (entries.some((h) => h.health === 'abnormal')) return 'abnormal';
  return entries.length > 0 && entries.every((h) => h.health === 'normal')
    ? 'normal'
    : 'unavailable';
}

function healthLine(found: InstanceInfo[], lb: Observed | undefined): CheckLine {
  const title = 'the balancer sees every serving server healthy';
  if (lb === undefined) {
    return {
      id: 'health',
      title,
      status: 'skip',
      detail: 'no balancer yet: the run proves the path before DNS moves',
    };
  }
  const serving = lb.backends.filter((b) => b.weight > 0 && found.some((i) => i.id === b.serverId));
  const bad = serving
    .map((b) => ({ id: b.serverId, health: healthOf(lb, b.serverId) }))
    .filter((b) => b.health !== 'normal');
  return {
    id: 'health',
    title,
    status: bad.length === 0 ? 'pass' : 'fail',
    detail:
      bad.length === 0
        ? `${serving.length} serving, all normal`
        : bad.map((b) => `${b.id} ${b.health}`).join(', '),
  };
}

function budgetLine(
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
  const healthy =
    lb === undefined
      ? servingIds.length
      : servingIds.filter((id) => healthOf(lb, id) === 'normal').length;
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

function dnsLines(spec: WorkflowSpec, inventory: ObservedInventory): CheckLine[] {
  if (spec.dns === undefined) return [];
  const { domain, record, type, ttl } = spec.dns;
  const name = record === '@' ? domain : `${record}.${domain}`;
  const observed = inventory.dns;
  if (observed === undefined) {
    return [
      { id: 'dns-record', title: `DNS record ${name}`, status: 'skip', detail: 'not observed' },
    ];
  }
  const lines: CheckLine[] = [
    observed.record === undefined
      ? {
          id: 'dns-record',
          title: `DNS record ${name} exists`,
          status: 'fail',
          detail: `no ${type} record on the default line`,
        }
      : {
          id: 'dns-record',
          title: `DNS record ${name} exists`,
          status: 'pass',
          detail: `${type} ${observed.record.value}, TTL ${observed.record.ttl}`,
        },
  ];
  const lowerTo = ttl.lowerTo;
  lines.push(
    lowerTo === undefined
      ? {
          id: 'dns-ttl',
          title: 'the TTL can be lowered on this edition',
          status: 'pass',
          detail: 'the workflow does not lower it',
        }
      : {
          id: 'dns-ttl',
          title: 'the TTL can be lowered on this edition',
          status: lowerTo >= observed.minimumTtl ? 'pass' : 'fail',
          detail:
            lowerTo >= observed.minimumTtl
              ? `dns.ttl.lowerTo ${lowerTo} ≥ the edition's minimum ${observed.minimumTtl}`
              : `dns.ttl.lowerTo is ${lowerTo} but this edition's minimum TTL is ${observed.minimumTtl}`,
        },
  );
  lines.push({
    id: 'dns-servers',
    title: "the zone's name servers are known",
    status: observed.nameServers.length > 0 ? 'pass' : 'fail',
    detail:
      observed.nameServers.join(', ') ||
      'none reported: the cutover cannot be confirmed by resolution',
  });
  return lines;
}

/** A count, or a percent of `of` rounded as the rollout schema says. */
function resolveCount(value: number | string, of: number, round: 'up' | 'down'): number {
  if (typeof value === 'number') return value;
  const share = (Number(value.replace('%', '')) * of) / 100;
  return round === 'up' ? Math.ceil(share) : Math.floor(share);
}

function formatTags(tags: Record<string, string>): string {
  return (
    Object.entries(tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ') || '(no tags)'
  );
}
