/**
 * The balancer's own view: healthy when every health status it reports for the server (on the
 * given listener, or on all of them) is `normal`. Not attached, not checked yet
 * (`unavailable`) or `abnormal` are all failures: a gate must not pass on missing evidence.
 * A listener that is stopped or has its health check off judges nothing (SLB reports every
 * backend `unavailable` there): it is left out, and the detail names the listeners judged.
 */
import { describeJudged, judgedHealth } from '../../listener/index.js';
import type {
  HealthCheckResult,
  HealthCheckSpec,
  Listener,
  LoadBalancer,
} from '../../ports/index.js';

export async function checkLoadBalancer(
  spec: Extract<HealthCheckSpec, { kind: 'load-balancer' }>,
  loadBalancer: LoadBalancer,
): Promise<HealthCheckResult> {
  const [reported, listeners] = await Promise.all([
    loadBalancer.healthStatus(spec.loadBalancerId, spec.listenerPort),
    // Without the listeners' details every entry judges: stricter, never looser.
    listenersOf(loadBalancer, spec.loadBalancerId).catch((): Listener[] => []),
  ]);
  const judged = judgedHealth(reported, listeners);
  const statuses = judged.entries.filter(
    (s) =>
      s.serverId === spec.serverId &&
      (spec.listenerPort === undefined || s.listenerPort === spec.listenerPort),
  );
  const where = spec.listenerPort === undefined ? '' : ` on :${spec.listenerPort}`;
  if (statuses.length === 0) {
    return {
      ok: false,
      detail: `${spec.loadBalancerId} reports no health for ${spec.serverId}${where}${judged.ignored.length > 0 ? ` (${describeJudged(judged)})` : ''}`,
    };
  }
  const bad = statuses.filter((s) => s.health !== 'normal');
  const ignored = judged.ignored.length > 0 ? ` (ignored ${judged.ignored.join(', ')})` : '';
  if (bad.length > 0) {
    return {
      ok: false,
      detail: `${bad.map((s) => `${s.health} on :${s.listenerPort}`).join(', ')}${ignored}`,
    };
  }
  return {
    ok: true,
    detail: `${statuses.map((s) => `normal on :${s.listenerPort}`).join(', ')}${ignored}`,
  };
}

async function listenersOf(loadBalancer: LoadBalancer, id: string): Promise<Listener[]> {
  const info = await loadBalancer.describe(id);
  const found = await Promise.all(
    info.listeners.map((l) => loadBalancer.describeListener(id, l.port, l.protocol)),
  );
  return found.filter((l): l is Listener => l !== undefined);
}
