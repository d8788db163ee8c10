/**
 * Workflow settings that only the live world shows to be meaningless, refused as invalid input
 * (exit 3) naming the path: a maintenance window already over, a fleet beyond what one workflow
 * may hold, and source-address filters that would hide every request proxied by a layer-7
 * listener (all of them reach the server from the SLB's 100.64.0.0/10, and without
 * X-Forwarded-For nothing else names the client), so a drain would pass at once with clients
 * still on the server.
 */
import { cidrsOverlap, type ParsedCidr, parseCidr, SLB_SOURCE_CIDR } from '../workflow/cidr.js';
import { MAX_FLEET_SIZE } from '../workflow/schema/backends-schema.js';
import type { FleetNode } from './fleet.js';
import type { PlanContext } from './plan-context.js';

export function checkPlanInputs(ctx: PlanContext, nodes: readonly FleetNode[]): void {
  checkWindow(ctx);
  checkFleetSize(ctx, nodes);
  checkSourceFilters(ctx);
}

function checkWindow(ctx: PlanContext): void {
  const end = ctx.spec.rollout.window?.end;
  if (end === undefined) return;
  const deadline = Date.parse(end);
  const observed = Date.parse(ctx.inventory.observedAt);
  if (Number.isNaN(deadline) || Number.isNaN(observed) || deadline > observed) return;
  ctx.problems.add(
    ['rollout', 'window', 'end'],
    `a time still ahead (it is ${ctx.inventory.observedAt} now): no server could start`,
    `${end}, already past`,
  );
}

function checkFleetSize(ctx: PlanContext, nodes: readonly FleetNode[]): void {
  if (nodes.length <= MAX_FLEET_SIZE) return;
  const backends = ctx.spec.backends;
  ctx.problems.add(
    ['backends', selectorOf(backends)],
    `at most ${MAX_FLEET_SIZE} servers in one workflow (split the fleet, e.g. by tag)`,
    `${nodes.length} servers`,
  );
}

/** The field that selected the servers, so the problem names the path the user wrote. */
function selectorOf(backends: PlanContext['spec']['backends']): string {
  if (backends.tags !== undefined) return 'tags';
  if (backends.balancers !== undefined) return 'balancers';
  return backends.all ? 'all' : 'instances';
}

function checkSourceFilters(ctx: PlanContext): void {
  const layer7 = ctx.listeners.find(
    (listener) => listener.protocol === 'http' || listener.protocol === 'https',
  );
  if (layer7 === undefined) return;
  const probe = ctx.spec.drain.probe;
  const slb = parseCidr(SLB_SOURCE_CIDR) as ParsedCidr;
  const hiding = (cidrs: readonly string[]) =>
    cidrs.filter((text) => {
      const range = parseCidr(text);
      return range !== undefined && cidrsOverlap(range, slb);
    });
  const listener = `${layer7.protocol}:${layer7.port}`;
  // X-Forwarded-For off (in the workflow, or as observed; the SLB default is on): a proxied
  // request carries no client address at all, so whichever address is read it is the
  // balancer's — as remote_addr is behind any layer-7 listener.
  const blind = ctx.listeners.find(
    (l) => (l.protocol === 'http' || l.protocol === 'https') && l.xForwardedFor === false,
  );
  if (probe.kind === 'access-log' && blind !== undefined) {
    const hidden = hiding(probe.filter.ignoreCidrs);
    if (hidden.length > 0) {
      const at = ctx.spec.loadBalancer.listeners.findIndex(
        (l) => l.protocol === blind.protocol && l.port === blind.port,
      );
      const where =
        at >= 0
          ? `loadBalancer.listeners[${at}].xForwardedFor: true`
          : `X-Forwarded-For on for that listener of ${ctx.balancer.label}`;
      ctx.problems.add(
        ['drain', 'probe', 'filter', 'ignoreCidrs'],
        `no range covering ${SLB_SOURCE_CIDR}: the ${blind.protocol}:${blind.port} listener has X-Forwarded-For off, so every request it proxies reaches the server from the balancer with no client address and ignoring ${hidden.join(', ')} would ignore all traffic and pass the drain at once. Turn it on (${where}), or use ignoreCidrs: [] and tell health checks by their request (the listener's own check is recognised; ignorePaths, ignoreUserAgents)`,
        hidden.join(', '),
      );
      return;
    }
  }
  if (probe.kind === 'access-log' && probe.filter.clientAddress === 'remote_addr') {
    const hidden = hiding(probe.filter.ignoreCidrs);
    if (hidden.length > 0) {
      ctx.problems.add(
        ['drain', 'probe', 'filter', 'clientAddress'],
        `x_forwarded_for or auto: behind the ${listener} listener every request's remote_addr is the balancer (${SLB_SOURCE_CIDR}), so ignoring ${hidden.join(', ')} by remote_addr would ignore all traffic and pass the drain at once`,
        'remote_addr',
      );
    }
  }
  if (probe.kind === 'connections') {
    const hidden = hiding(probe.ignoreCidrs);
    if (hidden.length > 0) {
      ctx.problems.add(
        ['drain', 'probe', 'ignoreCidrs'],
        `no range covering ${SLB_SOURCE_CIDR} (use ignoreCidrs: [] or the access-log probe): behind the ${listener} listener every connection comes from the balancer, so the drain would pass at once`,
        hidden.join(', '),
      );
    }
  }
}
