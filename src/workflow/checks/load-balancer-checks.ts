/**
 * Cross-field checks of `loadBalancer`: an SLB by id or create, or a balancer you run yourself
 * described in the section its kind names; listeners that can exist together.
 */
import type { RawIssue } from '../issue.js';
import { listenerCheckType } from '../schema/load-balancer-schema.js';
import type { Check } from './check-context.js';

/** The scheduling algorithms each protocol's create action documents. */
const SCHEDULERS: Record<'tcp' | 'http', readonly string[]> = {
  tcp: ['wrr', 'rr', 'sch', 'tch'],
  http: ['wrr', 'rr'],
};

export const checkLoadBalancer: Check = ({ doc, fleet }) => {
  const issues: RawIssue[] = [];
  const lb = doc.loadBalancer;
  if (lb === undefined) return issues;
  const kind = lb.kind ?? 'slb';
  for (const section of ['nginx', 'haproxy', 'keepalived'] as const) {
    if (lb[section] !== undefined && kind !== section) {
      issues.push({
        path: ['loadBalancer', section],
        expected: `${section} settings only with kind: ${section}`,
        found: `kind: ${kind}`,
      });
    }
  }
  if (kind !== 'slb') return [...issues, ...selfRunIssues(lb, kind, fleet)];
  if (lb.id !== undefined && lb.create !== undefined) {
    issues.push({
      path: ['loadBalancer', 'create'],
      expected: 'either id (an existing balancer) or create (a new one), not both',
      found: `both id ${lb.id} and create`,
    });
  }
  if (lb.id === undefined && lb.create === undefined) {
    issues.push({
      path: ['loadBalancer'],
      expected: 'id (an existing balancer) or create (a new one)',
      found: 'neither',
    });
  }
  if (lb.create !== undefined && lb.listeners.length === 0) {
    issues.push({
      path: ['loadBalancer', 'listeners'],
      expected: 'at least one listener on a balancer this workflow creates',
      found: 'none',
    });
  }
  const ports = new Map<number, number>();
  lb.listeners.forEach((listener, index) => {
    const at = ['loadBalancer', 'listeners', index] as const;
    const before = ports.get(listener.port);
    if (before !== undefined) {
      issues.push({
        path: [...at, 'port'],
        expected: 'a port no other listener of this balancer uses',
        found: `${listener.port} again (also loadBalancer.listeners[${before}])`,
      });
    } else {
      ports.set(listener.port, index);
    }
    const check = listener.healthCheck;
    if (listener.protocol === 'http' && check.type === 'tcp') {
      issues.push({
        path: [...at, 'healthCheck', 'type'],
        expected: 'http (an http listener checks backends over http)',
        found: 'tcp',
      });
    }
    if (check.enabled && listenerCheckType(listener) === 'http' && check.uri === undefined) {
      issues.push({
        path: [...at, 'healthCheck', 'uri'],
        expected: 'the path of the HTTP health check, e.g. /healthz (SLB refuses / alone)',
        found: 'nothing',
      });
    }
    if (check.uri === '/') {
      issues.push({
        path: [...at, 'healthCheck', 'uri'],
        expected: 'a health check path other than / alone (SLB refuses it), e.g. /healthz',
        found: '"/"',
      });
    }
    const schedulers = SCHEDULERS[listener.protocol];
    if (!schedulers.includes(listener.scheduler)) {
      issues.push({
        path: [...at, 'scheduler'],
        expected: `one of ${schedulers.join(', ')} on ${listener.protocol} listeners`,
        found: listener.scheduler,
      });
    }
    if (check.type === 'tcp' && check.uri !== undefined) {
      issues.push({
        path: [...at, 'healthCheck', 'uri'],
        expected: 'no uri with a tcp health check (or type: http)',
        found: JSON.stringify(check.uri),
      });
    }
    if (listener.protocol !== 'tcp' && listener.connectionDrain !== undefined) {
      issues.push({
        path: [...at, 'connectionDrain'],
        expected: 'connectionDrain only on tcp listeners',
        found: `connectionDrain on an ${listener.protocol} listener`,
      });
    }
    if (
      listener.connectionDrain?.enabled &&
      listener.connectionDrain.timeoutSeconds === undefined
    ) {
      issues.push({
        path: [...at, 'connectionDrain', 'timeoutSeconds'],
        expected: 'seconds from 10 to 900 when connection drain is on',
        found: 'nothing',
      });
    }
    if (listener.protocol !== 'http' && listener.xForwardedFor !== undefined) {
      issues.push({
        path: [...at, 'xForwardedFor'],
        expected: 'xForwardedFor only on http listeners',
        found: `xForwardedFor on a ${listener.protocol} listener`,
      });
    }
  });
  return issues;
};

/** A balancer you run yourself: its own section, none of the SLB's fields. */
function selfRunIssues(
  lb: NonNullable<Parameters<Check>[0]['doc']['loadBalancer']>,
  kind: 'nginx' | 'haproxy' | 'keepalived',
  fleet: string[] | undefined,
): RawIssue[] {
  const issues: RawIssue[] = [];
  if (lb[kind] === undefined) {
    issues.push({
      path: ['loadBalancer', kind],
      expected: `the ${kind} settings of kind: ${kind}`,
      found: 'nothing',
    });
  }
  for (const field of ['id', 'create', 'verify'] as const) {
    if (lb[field] !== undefined) {
      issues.push({
        path: ['loadBalancer', field],
        expected: `no ${field} with kind: ${kind} (it belongs to an SLB)`,
        found: field,
      });
    }
  }
  if (lb.listeners.length > 0) {
    issues.push({
      path: ['loadBalancer', 'listeners'],
      expected: `no listeners with kind: ${kind} (its own configuration has them)`,
      found: `${lb.listeners.length} listener${lb.listeners.length === 1 ? '' : 's'}`,
    });
  }
  const nginx = lb.nginx;
  if (kind === 'nginx' && nginx !== undefined) {
    if (nginx.port === undefined && Object.keys(nginx.servers).length === 0) {
      issues.push({
        path: ['loadBalancer', 'nginx', 'port'],
        expected: "the servers' port in the upstream (privateIp:port), or servers by instance id",
        found: 'neither',
      });
    }
  }
  const haproxy = lb.haproxy;
  if (kind === 'haproxy' && haproxy !== undefined && Object.keys(haproxy.servers).length === 0) {
    issues.push({
      path: ['loadBalancer', 'haproxy', 'servers'],
      expected: 'the HAProxy server name of each server, by instance id',
      found: 'none',
    });
  }
  const keepalived = lb.keepalived;
  if (kind === 'keepalived' && keepalived !== undefined) {
    const ids = Object.keys(keepalived.nodes);
    if (ids.length !== 2) {
      issues.push({
        path: ['loadBalancer', 'keepalived', 'nodes'],
        expected: 'the two nodes of the pair, by instance id',
        found: ids.length === 0 ? 'none' : `${ids.length}: ${ids.join(', ')}`,
      });
    }
    // The pair's nodes are the run's servers: a node the run does not patch, or a server that is
    // no node, would be drained by a balancer that cannot take it out.
    const unlisted = ids.filter((id) => fleet !== undefined && !fleet.includes(id));
    const strangers = (fleet ?? []).filter((id) => !ids.includes(id));
    if (unlisted.length > 0 || strangers.length > 0) {
      issues.push({
        path: ['loadBalancer', 'keepalived', 'nodes'],
        expected: 'the same instances as backends.instances',
        found: [
          ...(unlisted.length > 0 ? [`not in backends.instances: ${unlisted.join(', ')}`] : []),
          ...(strangers.length > 0 ? [`no node for ${strangers.join(', ')}`] : []),
        ].join('; '),
      });
    }
  }
  return issues;
}
