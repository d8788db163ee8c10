/**
 * Expected durations of steps, for the runbook's estimate and the window gate. Cloud calls are
 * rough figures from the SLB/Alidns/ECS consoles; waits are what the workflow configures. An
 * estimate is not a timeout: timeouts come from the workflow.
 */

/** CreateLoadBalancer until the balancer is `active`. */
export const CREATE_BALANCER_SECONDS = 30;
/** One listener created (stopped). */
export const CREATE_LISTENER_SECONDS = 5;
/** AddBackendServers / SetBackendServers, per call of up to 20 servers. */
export const BACKEND_CALL_SECONDS = 3;
/** StartLoadBalancerListener until `running`. */
export const START_LISTENER_SECONDS = 5;
/** A DNS record update through the API. */
export const DNS_UPDATE_SECONDS = 3;
/** API read-back plus resolution against the zone's name servers, when all goes well. */
export const DNS_VERIFY_SECONDS = 5;
/** A read-only gate: live health and weights. */
export const GATE_SECONDS = 2;
/** Running a short command (verify, baseline) through Cloud Assistant or SSH. */
export const SHORT_COMMAND_SECONDS = 5;
/** A patch command when nothing better is known; capped by the workflow's timeout. */
export const PATCH_COMMAND_SECONDS = 60;
/** A reboot until the instance is Running again, when nothing better is known. */
export const REBOOT_SECONDS = 60;
/** A hook command when nothing better is known; capped by the hook's timeout. */
export const HOOK_SECONDS = 10;
/** After the quiet period, the drain probe's own latency (log tail, last requests finishing). */
export const DRAIN_MARGIN_SECONDS = 5;

/** Seconds until a new backend passes the balancer's health check: threshold × interval. */
export function firstHealthySeconds(healthCheck: {
  healthyThreshold: number;
  intervalSeconds: number;
  timeoutSeconds: number;
}): number {
  return healthCheck.healthyThreshold * healthCheck.intervalSeconds + healthCheck.timeoutSeconds;
}
