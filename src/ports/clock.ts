/**
 * Time as a port. The planner, the node state machine and the probes take a Clock instead of
 * calling Date.now() or setTimeout, so long waits are tested with a clock the test controls.
 */
export interface Clock {
  /** Wall-clock milliseconds since the epoch: journal timestamps, maintenance windows. */
  now(): number;
  /** Monotonic milliseconds: durations, timeouts, quiet periods. Never jumps with NTP. */
  monotonic(): number;
  /** Resolves after `ms`; rejects with the signal's reason when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
