/**
 * Expected durations of steps, for the runbook's estimate and the window gate. An estimate is
 * not a timeout: timeouts come from the workflow.
 *
 * The figures are for a run against the real cloud, because that is what the window gate
 * protects; each says what it was measured at on the emulator (`drainctl emulator`, default
 * timings, the example workflows; docs/engine.md "Estimates") and, where the real cloud differs,
 * what it stands for there. The waits a workflow sets (quiet period, ramp holds, the old TTL,
 * health-check rounds) are counted exactly as configured: the emulator spends exactly those.
 * What the emulator does in seconds and a real ECS instance in about a minute — a package update,
 * a reboot — is counted at real-cloud speed, which is why a rehearsal on the emulator finishes
 * well inside its estimate.
 */

/**
 * CreateLoadBalancer until `active`, plus the 1.5 s the run waits after tagging its lock onto the
 * new balancer. Emulator: 1.5 s (the settle; the API answers at once). Real: the call answers
 * in about a second and the balancer is active by the first status poll (2 s).
 */
export const CREATE_BALANCER_SECONDS = 5;
/** One listener created (stopped). Emulator: under 0.1 s. Real: one call and a read-back. */
export const CREATE_LISTENER_SECONDS = 2;
/**
 * A weight change (AddBackendServers / SetBackendServers, up to 20 servers per call) with the
 * reads around it (the drift check). Emulator: under 0.1 s. Real: three API calls of a few
 * hundred milliseconds each.
 */
export const BACKEND_CALL_SECONDS = 1;
/** StartLoadBalancerListener until `running`. Emulator: under 0.1 s. Real: the call and a status poll (2 s). */
export const START_LISTENER_SECONDS = 3;
/** A DNS record update through the Alidns API. Emulator: under 0.1 s. Real: one call. */
export const DNS_UPDATE_SECONDS = 1;
/**
 * API read-back plus resolution against the zone's name servers, when all goes well. Emulator:
 * under 0.1 s. Real: Alidns serves a change from its name servers within seconds.
 */
export const DNS_VERIFY_SECONDS = 5;
/** A read-only gate: live health and weights. Emulator: under 0.1 s. Real: two reads. */
export const GATE_SECONDS = 1;
/**
 * A short command (verify, baseline) through Cloud Assistant or SSH. Emulator: under 0.1 s.
 * Real: Cloud Assistant's agent picks the command up within a second or two and the result is
 * polled every second.
 */
export const SHORT_COMMAND_SECONDS = 3;
/**
 * A patch command when nothing better is known; capped by the workflow's timeout. Emulator:
 * 0.8 s (`yum update kernel -y` takes its `packageUpdateSeconds`, 0.5 s). Real: a kernel update
 * from the regional mirror downloads and installs a kernel package and builds its initramfs,
 * about a minute.
 */
export const PATCH_COMMAND_SECONDS = 60;
/**
 * A reboot until the instance is Running again and its services have started, when nothing
 * better is known. Emulator: 1.9 s (its default boot takes about two). Real: an ECS reboot takes
 * 30–90 s.
 */
export const REBOOT_SECONDS = 60;
/** A hook command when nothing better is known; capped by its timeout. Not measured: the example workflows have no hooks. */
export const HOOK_SECONDS = 10;
/**
 * After the quiet period, a margin for the drain probe: it decides within milliseconds of the
 * deadline (change notifications; a once-a-second poll where there are none, over SSH with a
 * `tail` that buffers). Emulator: 5.02–5.07 s for `quietSeconds: 5` with the poll alone. Clients still sending on open keep-alive
 * connections add their own time, which no plan can know; `drain.timeoutSeconds` bounds it.
 */
export const DRAIN_MARGIN_SECONDS = 1;

/**
 * Seconds until a new backend passes the balancer's health check: threshold × interval (the
 * check's timeout is spent only by a check that fails). Emulator: under 0.1 s after the listener
 * started, its checks had already begun.
 */
export function firstHealthySeconds(healthCheck: {
  healthyThreshold: number;
  intervalSeconds: number;
}): number {
  return healthCheck.healthyThreshold * healthCheck.intervalSeconds;
}

/** Waiting for a drain: the quiet period and the probe's latency, at most the timeout. */
export function drainSeconds(drain: { quietSeconds: number; timeoutSeconds: number }): number {
  return Math.min(drain.timeoutSeconds, drain.quietSeconds + DRAIN_MARGIN_SECONDS);
}

/**
 * A ramp: each step's weight change, then its hold. Emulator: 15.0–15.5 s for three 5 s holds.
 */
export function rampSeconds(restore: {
  rampPercent: readonly number[];
  holdSeconds: number;
}): number {
  return restore.rampPercent.length * (restore.holdSeconds + BACKEND_CALL_SECONDS);
}

/** Rounds of a health check until it passed `consecutiveSuccesses` times. Emulator: 3.0–3.1 s for 3 × 1 s. */
export function healthySeconds(health: {
  consecutiveSuccesses: number;
  intervalSeconds: number;
}): number {
  return health.consecutiveSuccesses * health.intervalSeconds;
}
/**
 * A Redis master failed over to its replica (CLUSTER FAILOVER until both see the roles swapped).
 * Local cluster: about a second; a busy replica that must first catch up takes longer.
 */
export const REDIS_FAILOVER_SECONDS = 5;
/** BGSAVE, LASTSAVE changing and the RDB copy with its sha256, for a small data set. */
export const REDIS_BACKUP_SECONDS = 10;
/** A restarted Redis replica's resync with its master and cluster_state ok everywhere. */
export const REDIS_CATCH_UP_SECONDS = 10;
