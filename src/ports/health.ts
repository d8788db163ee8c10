/**
 * Is a node serving? Checks go straight to the node (HTTP, TCP) or ask the load balancer's own
 * view. A check that cannot be evaluated is a failed check: health gates fail closed.
 */

export type HealthCheckSpec =
  | {
      kind: 'http';
      /** Node address (private IP) and port. */
      host: string;
      port: number;
      path: string;
      /** HTTP Host header, when the service needs one. */
      hostHeader?: string;
      expectStatus: number[];
      /** Regular expression the body must match. */
      bodyMatch?: string;
      timeoutMs: number;
    }
  | { kind: 'tcp'; host: string; port: number; timeoutMs: number }
  | { kind: 'load-balancer'; loadBalancerId: string; serverId: string; listenerPort?: number };

export interface HealthCheckResult {
  ok: boolean;
  /** One line a person can read: `HTTP 200 in 12 ms`, `connect ECONNREFUSED`, `abnormal on :80`. */
  detail: string;
  latencyMs?: number;
  /**
   * The node itself answered: a TCP connection was accepted, an HTTP response came back (passing
   * or not). Absent when nothing answered, and for the balancer's view, which is not an answer
   * from the node to drainctl.
   */
  answered?: boolean;
}

export interface HealthChecker {
  check(spec: HealthCheckSpec, signal?: AbortSignal): Promise<HealthCheckResult>;
}
