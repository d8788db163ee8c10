/**
 * Cross-field checks about the servers: one selector, each server once, groups and order that
 * name servers of the fleet, a budget (maxUnavailable, minHealthy) that lets a server leave.
 */
import type { RawIssue } from '../issue.js';
import type { Check, CheckContext } from './check-context.js';

export const checkBackends: Check = ({ doc }) => {
  const issues: RawIssue[] = [];
  const { backends } = doc;
  const selectors = (['instances', 'tags', 'all', 'balancers'] as const).filter(
    (key) => backends[key] !== undefined,
  );
  const isFleet = doc.loadBalancer === undefined;
  if (selectors.length === 0) {
    issues.push({
      path: ['backends'],
      expected: isFleet
        ? 'one of instances (ids), tags (a selector) or balancers'
        : 'one of instances (ids), tags (a selector) or all',
      found: 'none of them',
    });
  }
  for (const extra of selectors.slice(1)) {
    issues.push({
      path: ['backends', extra],
      expected: isFleet
        ? 'only one of instances, tags, balancers'
        : 'only one of instances, tags, all',
      found: `${selectors[0]} and ${extra}`,
    });
  }
  issues.push(...fleetSelection(doc));
  if (backends.all !== undefined && doc.loadBalancer?.create !== undefined) {
    issues.push({
      path: ['backends', 'all'],
      expected: 'instances or tags (a balancer this workflow creates has no backends yet)',
      found: 'all: true with loadBalancer.create',
    });
  }
  if (backends.tags !== undefined && Object.keys(backends.tags).length === 0) {
    issues.push({ path: ['backends', 'tags'], expected: 'at least one tag', found: 'none' });
  }
  if (backends.initialWeight > backends.weight) {
    issues.push({
      path: ['backends', 'initialWeight'],
      expected: `a weight ≤ backends.weight (${backends.weight})`,
      found: String(backends.initialWeight),
    });
  }
  const seen = new Map<string, number>();
  (backends.instances ?? []).forEach((entry, index) => {
    const id = typeof entry === 'string' ? entry : entry.id;
    const before = seen.get(id);
    if (before !== undefined) {
      issues.push({
        path: ['backends', 'instances', index],
        expected: 'each instance once',
        found: `${id} again (also backends.instances[${before}])`,
      });
    } else {
      seen.set(id, index);
    }
    if (typeof entry !== 'string') {
      const serving = entry.weight ?? backends.weight;
      const initial = entry.initialWeight ?? backends.initialWeight;
      if (initial > serving) {
        issues.push({
          path: ['backends', 'instances', index, 'initialWeight'],
          expected: `a weight ≤ its serving weight (${serving})`,
          found: String(initial),
        });
      }
    }
  });
  return issues;
};

/**
 * A fleet workflow (no loadBalancer) selects servers by ids, tags or balancers and moves no DNS;
 * `balancers` belongs to fleet workflows only, with ids or tags.
 */
function fleetSelection(doc: CheckContext['doc']): RawIssue[] {
  const issues: RawIssue[] = [];
  const { backends } = doc;
  if (doc.loadBalancer !== undefined) {
    if (backends.balancers !== undefined) {
      issues.push({
        path: ['backends', 'balancers'],
        expected: 'instances, tags or all (balancers selects a fleet: leave loadBalancer out)',
        found: 'balancers with loadBalancer',
      });
    }
    return issues;
  }
  if (backends.all !== undefined) {
    issues.push({
      path: ['backends', 'all'],
      expected: 'balancers (every backend of balancers by ids or tags) in a fleet workflow',
      found: 'all: true without loadBalancer',
    });
  }
  if (doc.dns !== undefined) {
    issues.push({
      path: ['dns'],
      expected: 'no dns block in a fleet workflow (DNS moves onto one balancer)',
      found: 'a dns block without loadBalancer',
    });
  }
  const balancers = backends.balancers;
  if (balancers !== undefined) {
    const given = (['ids', 'tags'] as const).filter((key) => balancers[key] !== undefined);
    if (given.length !== 1) {
      issues.push({
        path: ['backends', 'balancers'],
        expected: 'one of ids or tags',
        found: given.length === 0 ? 'neither' : 'both',
      });
    }
    if (balancers.tags !== undefined && Object.keys(balancers.tags).length === 0) {
      issues.push({
        path: ['backends', 'balancers', 'tags'],
        expected: 'at least one tag',
        found: 'none',
      });
    }
  }
  return issues;
}

export const checkBudget: Check = ({ doc, fleet }) => {
  const issues: RawIssue[] = [];
  const { maxUnavailable, minHealthy } = doc.rollout;
  if (maxUnavailable === 0 || maxUnavailable === '0%') {
    issues.push({
      path: ['rollout', 'maxUnavailable'],
      expected: 'a count ≥ 1 or a percent ≥ 1% (0 lets no server leave)',
      found: String(maxUnavailable),
    });
  }
  if (minHealthy === '100%') {
    issues.push({
      path: ['rollout', 'minHealthy'],
      expected: 'a percent below 100% (a server that leaves always takes one away)',
      found: '"100%"',
    });
  }
  // Knowable only when the balancer holds exactly the listed servers: one this workflow creates.
  if (
    fleet !== undefined &&
    doc.loadBalancer?.create !== undefined &&
    typeof minHealthy === 'number'
  ) {
    if (minHealthy >= fleet.length) {
      issues.push({
        path: ['rollout', 'minHealthy'],
        expected: `fewer than the ${fleet.length} server(s) on the balancer (with ${minHealthy} required to stay healthy, none could ever leave)`,
        found: String(minHealthy),
      });
    }
  }
  return issues;
};

export const checkGroupsAndOrder: Check = (context) => {
  const { doc } = context;
  const issues: RawIssue[] = [];
  const groupOf = new Map<string, string>();
  for (const [group, members] of Object.entries(doc.rollout.groups)) {
    members.forEach((member, index) => {
      const path = ['rollout', 'groups', group, index];
      const other = groupOf.get(member);
      if (other !== undefined) {
        issues.push({
          path,
          expected: 'each instance in one group only, once',
          found: `${member} again (already in group ${other})`,
        });
      }
      groupOf.set(member, group);
      issues.push(...notInFleet(context, member, path));
    });
  }
  if (Array.isArray(doc.rollout.order)) {
    const seen = new Set<string>();
    doc.rollout.order.forEach((id, index) => {
      const path = ['rollout', 'order', index];
      if (seen.has(id)) {
        issues.push({ path, expected: 'each instance once', found: `${id} again` });
      }
      seen.add(id);
      issues.push(...notInFleet(context, id, path));
    });
  }
  for (const id of Object.keys(doc.access.nodes)) {
    issues.push(...notInFleet(context, id, ['access', 'nodes', id]));
  }
  return issues;
};

function notInFleet(
  { fleet }: CheckContext,
  id: string,
  path: readonly (string | number)[],
): RawIssue[] {
  if (fleet === undefined || fleet.includes(id)) return [];
  return [
    {
      path,
      expected: `an instance listed in backends.instances (${fleet.join(', ')})`,
      found: `${id}, which is not`,
    },
  ];
}
