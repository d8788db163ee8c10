/**
 * The checklist of `drainctl inspect`: what ops teams check by hand before a change, computed
 * from a workflow and a read-only observation of the live world. Pure: no I/O. Each line passes
 * or fails on its own and says why in one line; `skip` means it could not be checked.
 */
import { formatListenerDifference, listenerDifferences } from '../listener/index.js';
import { balancerTags } from '../plan/balancer-identity.js';
import { listenerConfig } from '../plan/listener-config.js';
import { describeRedis, redisInventoryDifferences } from '../plan/redis-inventory.js';
import { selfRunBalancer } from '../plan/self-run-balancer.js';
import type { ObservedInventory } from '../plan/types.js';
import type { WorkflowSpec } from '../workflow/index.js';
import { type CheckLine, formatTags, type Observed } from './inspect-check-line.js';
import {
  attachedLine,
  budgetLine,
  existLine,
  healthLine,
  runningLine,
  selectedInstances,
} from './inspect-fleet-checks.js';

export type { CheckLine, CheckStatus } from './inspect-check-line.js';

/** Every line, in the order people read them. */
export function inspectChecklist(
  spec: WorkflowSpec,
  inventory: ObservedInventory,
  planner: { ok: true; notes?: string[] } | { ok: false; problems: string[] },
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
    ...redisLines(spec, inventory),
    planner.ok
      ? {
          id: 'plan',
          title: 'the planner accepts the workflow',
          status: 'pass',
          // What a re-run would do is worth knowing before the first run, not a failure.
          detail: ['drainctl plan would print a runbook', ...(planner.notes ?? [])].join('; '),
        }
      : {
          id: 'plan',
          title: 'the planner accepts the workflow',
          status: 'fail',
          detail: planner.problems.join('; '),
        },
  ];
}

function redisLines(spec: WorkflowSpec, inventory: ObservedInventory): CheckLine[] {
  const expected = spec.inventory?.redis;
  const view = inventory.redis;
  if (expected === undefined || view === undefined) return [];
  const differences = redisInventoryDifferences(expected, view);
  return [
    {
      id: 'redis',
      title: `the ${describeRedis(view).label} is as inventory.redis expects`,
      status: differences.length === 0 ? 'pass' : 'fail',
      detail:
        differences.length === 0
          ? describeRedis(view).text
          : differences
              .map((d) => `${d.path.join('.')}: expected ${d.expected}, found ${d.found}`)
              .join('; '),
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
    const how =
      id !== undefined || selfRunBalancer(spec.loadBalancer) !== undefined
        ? ''
        : ` (found again by name ${lb.name} and its tags)`;
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
  // nginx and HAProxy listen where their own configuration says: drainctl has no listener there.
  if (selfRunBalancer(spec.loadBalancer) !== undefined) return [];
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
      return {
        id,
        title,
        status: 'fail',
        detail: `exists but differs: ${differences.map(formatListenerDifference).join('; ')}`,
      };
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
