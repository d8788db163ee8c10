/**
 * World timings for tests: reboots, app starts and package updates in a fraction of a second and
 * health checks ten times faster than configured, so suites stay quick on a loaded machine.
 */
import type { EmulatorTimings } from '#mocks/index.js';

export const FAST: Partial<EmulatorTimings> = {
  stoppingSeconds: 0.15,
  bootSeconds: 0.3,
  appStartSeconds: 0.05,
  packageUpdateSeconds: 0.1,
  healthCheckScale: 0.1,
};
