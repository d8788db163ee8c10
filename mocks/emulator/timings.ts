/**
 * How fast the simulated world moves. The defaults are brisk but believable for the demo and for
 * people rehearsing; tests pass shorter ones. Health-check intervals and timeouts are configured
 * per listener in seconds through the API, as on the real SLB; `healthCheckScale` shrinks them
 * (0.05 turns a 2 s interval into 100 ms) without changing what the API reports.
 */
export interface EmulatorTimings {
  /** A reboot keeps the instance Stopping this long (ms). */
  stoppingMs: number;
  /** …then Starting this long before the app serves again with the staged kernel (ms). */
  bootMs: number;
  /** How long a Cloud Assistant command runs (ms); package updates take a few times longer. */
  commandMs: number;
  /** Multiplies every listener's health-check interval and timeout (1 = real seconds). */
  healthCheckScale: number;
}

export const DEFAULT_TIMINGS: EmulatorTimings = {
  stoppingMs: 1_000,
  bootMs: 4_000,
  commandMs: 300,
  healthCheckScale: 1,
};

export function resolveTimings(overrides: Partial<EmulatorTimings> = {}): EmulatorTimings {
  return { ...DEFAULT_TIMINGS, ...overrides };
}
