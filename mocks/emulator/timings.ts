/**
 * How fast the simulated world moves: the world's own timings (reboot phases, app start,
 * keep-alive limits, package updates; see mocks/world/options.ts) plus one the control plane
 * applies. Health-check intervals and timeouts are configured per listener in whole seconds
 * through the API, as on the real SLB; `healthCheckScale` shrinks them inside the world
 * (0.05 turns a 2 s interval into 100 ms) without changing what the API reports.
 */
import { defaultTimings, type WorldTimings } from '../world/index.js';

export interface EmulatorTimings extends WorldTimings {
  /** Multiplies every listener's health-check interval and timeout (1 = real seconds). */
  healthCheckScale: number;
}

export const DEFAULT_TIMINGS: EmulatorTimings = { ...defaultTimings, healthCheckScale: 1 };

export function resolveTimings(overrides: Partial<EmulatorTimings> = {}): EmulatorTimings {
  const timings = { ...DEFAULT_TIMINGS, ...overrides };
  if (!(timings.healthCheckScale > 0)) {
    throw new RangeError(
      `healthCheckScale must be a positive number, got ${timings.healthCheckScale}`,
    );
  }
  return timings;
}
