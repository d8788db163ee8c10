/**
 * What the engine is given to touch the world. The composition root (src/app/composition-root.ts)
 * builds these from the environment; tests pass in-memory models.
 */
import type { HostTarget } from '../plan/types.js';
import type {
  AlertGateChecker,
  Clock,
  CloudRetryFeed,
  Dns,
  DnsResolver,
  HealthChecker,
  Host,
  LoadBalancer,
  NginxUpgrade,
  RedisMemberClient,
  ServerAttachments,
  TrafficProbeFactory,
} from '../ports/index.js';

export interface EnginePorts {
  loadBalancer: LoadBalancer;
  /** vServer groups of a fleet plan's servers; a fleet run that needs them fails without it. */
  attachments?: ServerAttachments;
  dns: Dns;
  dnsResolver: DnsResolver;
  /** The host that reaches a node the way the plan says (Cloud Assistant, SSH, local shell). */
  host(target: HostTarget): Host;
  trafficProbes: TrafficProbeFactory;
  health: HealthChecker;
  clock: Clock;
  /**
   * Asked before each node leaves service when the plan has an alert gate. Absent while the
   * plan has one: the gate blocks (fails closed).
   */
  alertGate?: AlertGateChecker;
  /** nginx's binary hot upgrade; a plan with its steps fails them without it. */
  nginxUpgrade?: NginxUpgrade;
  /** The nodes of a Redis Cluster (`redis.*` steps); a plan with them fails them without it. */
  redis?: RedisMemberClient;
  /** Cloud calls being retried (throttling…), so a run can say so while it lasts. */
  cloudRetries?: CloudRetryFeed;
}
