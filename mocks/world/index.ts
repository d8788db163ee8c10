/**
 * mocks/world — the emulator's simulated world: ECS instances (loopback IPs, an nginx-like app
 * with its access log, reboots, kernels, Cloud Assistant's command interpretation), listener data
 * planes (real TCP/HTTP proxies with weighted scheduling and health checks), the authoritative DNS
 * server, and world faults. It owns processes and sockets, not API state: the control plane
 * (mocks/ outside this folder) calls it only through the `World` interface in types.ts.
 * Must not import from src/ (lint-enforced) nor from the rest of mocks/.
 */
export type { AccessLogFormat, WorldOptions, WorldTimings } from './options.js';
export { defaultTimings } from './options.js';
export type * from './types.js';
export { createWorld, type EmulatedWorld } from './world.js';
export { WorldError } from './world-error.js';
