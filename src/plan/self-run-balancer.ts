/**
 * A balancer you run yourself (`loadBalancer.kind` nginx or haproxy) as a plan carries it: the
 * id the run knows it by (its lock, its saved weights, its journal), its name, and its workflow
 * section, from which the composition root builds its adapter for `run` and again for `resume`.
 * The section is in the plan so its hash covers it: another file, upstream or socket is another
 * plan.
 */
import type {
  BalancerHostSpec,
  HaproxyBalancerSpec,
  KeepalivedBalancerSpec,
  LoadBalancerSpec,
  NginxBalancerSpec,
} from '../workflow/index.js';

export type SelfRunBalancerSection =
  | { kind: 'nginx'; nginx: NginxBalancerSpec }
  | { kind: 'haproxy'; haproxy: HaproxyBalancerSpec }
  | { kind: 'keepalived'; keepalived: KeepalivedBalancerSpec };

export type SelfRunBalancerPlan = SelfRunBalancerSection & { id: string; name: string };

function hostName(host: BalancerHostSpec): string {
  return host === 'local' ? 'local' : `${host.user}@${host.address}:${host.port ?? 22}`;
}

/**
 * `nginx:app@local:/etc/nginx/conf.d/app.conf`, `haproxy:app@local:/run/haproxy/admin.sock`,
 * `keepalived:10.0.0.100@i-a,i-b`: what is changed, where — two workflows on the same upstream share a lock, two on different
 * files never do. Undefined for an SLB.
 */
export function selfRunBalancer(lb: LoadBalancerSpec): SelfRunBalancerPlan | undefined {
  if (lb.kind === 'nginx' && lb.nginx !== undefined) {
    const { nginx } = lb;
    const hosts = nginx.hosts.map(hostName).join(',');
    return {
      kind: 'nginx',
      nginx,
      id: `nginx:${nginx.upstream}@${hosts}:${nginx.configFile}`,
      name: `nginx upstream ${nginx.upstream}`,
    };
  }
  if (lb.kind === 'haproxy' && lb.haproxy !== undefined) {
    const { haproxy } = lb;
    return {
      kind: 'haproxy',
      haproxy,
      id: `haproxy:${haproxy.backend}@${hostName(haproxy.host)}:${haproxy.statsSocket}`,
      name: `HAProxy backend ${haproxy.backend}`,
    };
  }
  if (lb.kind === 'keepalived' && lb.keepalived !== undefined) {
    const { keepalived } = lb;
    return {
      kind: 'keepalived',
      keepalived,
      id: `keepalived:${keepalived.vip}@${Object.keys(keepalived.nodes).sort().join(',')}`,
      name: `keepalived pair holding ${keepalived.vip}`,
    };
  }
  return undefined;
}
