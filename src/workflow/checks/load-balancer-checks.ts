/** Cross-field checks of `loadBalancer`: one of id/create, listeners that can exist together. */
import type { RawIssue } from '../issue.js';
import { listenerCheckType } from '../schema/load-balancer-schema.js';
import type { Check } from './check-context.js';

/** The scheduling algorithms each protocol's create action documents. */
const SCHEDULERS: Record<'tcp' | 'http', readonly string[]> = {
  tcp: ['wrr', 'rr', 'sch', 'tch'],
  http: ['wrr', 'rr'],
};

export const checkLoadBalancer: Check = ({ doc }) => {
  const issues: RawIssue[] = [];
  const lb = doc.loadBalancer;
  if (lb === undefined) return issues;
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
