/**
 * The balancer's own view: healthy when every health status it reports for the server (on the
 * given listener, or on all of them) is `normal`. Not attached, not checked yet
 * (`unavailable`) or `abnormal` are all failures: a gate must not pass on missing evidence.
 */
import type { HealthCheckResult, HealthCheckSpec, LoadBalancer } from '../../ports/index.js';

export async function checkLoadBalancer(
  spec: Extract<HealthCheckSpec, { kind: 'load-balancer' }>,
  loadBalancer: LoadBalancer,
): Promise<HealthCheckResult> {
  const statuses = (await loadBalancer.healthStatus(spec.loadBalancerId, spec.listenerPort)).filter(
    (s) =>
      s.serverId === spec.serverId &&
      (spec.listenerPort === undefined || s.listenerPort === spec.listenerPort),
  );
  const where = spec.listenerPort === undefined ? '' : ` on :${spec.listenerPort}`;
  if (statuses.length === 0) {
    return {
      ok: false,
      detail: `${spec.loadBalancerId} reports no health for ${spec.serverId}${where}`,
    };
  }
  const bad = statuses.filter((s) => s.health !== 'normal');
  if (bad.length > 0) {
    return { ok: false, detail: bad.map((s) => `${s.health} on :${s.listenerPort}`).join(', ') };
  }
  return { ok: true, detail: statuses.map((s) => `normal on :${s.listenerPort}`).join(', ') };
}
