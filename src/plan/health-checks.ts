/**
 * Each server's health checks after its reboot, resolved to its address: the workflow's checks,
 * or by default the first listener's own check (HTTP path or TCP connect) made straight to the
 * server's backend port. Checks of the balancer's view go to `balancerChecks` when the balancer
 * is created by this run (its id is known only then).
 */
import type { HealthCheckSpec } from '../ports/index.js';
import type { FleetNode } from './fleet.js';
import { serviceAddress } from './host-target.js';
import type { PlanContext } from './plan-context.js';
import type { MaybeRef } from './types.js';

export interface NodeHealthChecks {
  checks: HealthCheckSpec[];
  balancerChecks: Array<{
    loadBalancerId: MaybeRef<string>;
    serverId: string;
    listenerPort?: number;
  }>;
}

export function nodeHealthChecks(ctx: PlanContext, node: FleetNode): NodeHealthChecks {
  const address = serviceAddress(ctx, node);
  const result: NodeHealthChecks = { checks: [], balancerChecks: [] };
  const entries = ctx.spec.health.checks ?? defaultChecks(ctx);
  const needsAddress = entries.some((entry) => entry.type !== 'load-balancer');
  if (needsAddress && address === undefined) {
    ctx.problems.add(
      ['health', 'checks'],
      `an address to check ${node.id} at`,
      'the instance has no IP',
    );
    return result;
  }
  for (const entry of entries) {
    if (entry.type === 'http') {
      result.checks.push({
        kind: 'http',
        host: address ?? '',
        port: entry.port,
        path: entry.path,
        ...(entry.hostHeader === undefined ? {} : { hostHeader: entry.hostHeader }),
        expectStatus: entry.expectStatus,
        ...(entry.bodyMatch === undefined ? {} : { bodyMatch: entry.bodyMatch }),
        timeoutMs: entry.timeoutSeconds * 1000,
      });
    } else if (entry.type === 'tcp') {
      result.checks.push({
        kind: 'tcp',
        host: address ?? '',
        port: entry.port,
        timeoutMs: entry.timeoutSeconds * 1000,
      });
    } else {
      const id = ctx.balancer.id;
      const listenerPort =
        entry.listenerPort === undefined ? {} : { listenerPort: entry.listenerPort };
      if (typeof id === 'string') {
        result.checks.push({
          kind: 'load-balancer',
          loadBalancerId: id,
          serverId: node.id,
          ...listenerPort,
        });
      } else {
        result.balancerChecks.push({ loadBalancerId: id, serverId: node.id, ...listenerPort });
      }
    }
  }
  return result;
}

type CheckEntry = NonNullable<PlanContext['spec']['health']['checks']>[number];

function defaultChecks(ctx: PlanContext): CheckEntry[] {
  const listener = ctx.listeners[0];
  if (listener === undefined) {
    ctx.problems.add(
      ['health', 'checks'],
      'health checks (the balancer has no listener to derive one from)',
      'nothing',
    );
    return [];
  }
  const check = listener.healthCheck;
  const port = check.connectPort ?? listener.backendPort;
  if (check.enabled && check.type === 'http') {
    return [
      {
        type: 'http',
        port,
        path: check.uri ?? '/',
        ...(check.domain === undefined ? {} : { hostHeader: check.domain }),
        expectStatus: [200],
        timeoutSeconds: check.timeoutSeconds,
      },
    ];
  }
  return [{ type: 'tcp', port, timeoutSeconds: check.timeoutSeconds }];
}
