/**
 * drainctl's local Alibaba Cloud emulator: SLB (2014-05-15), Alidns (2015-01-09) and ECS
 * (2014-05-26) behind one signed HTTP endpoint, a simulated world of instances, data planes and
 * an authoritative DNS server, fault injection and an admin API. See docs/emulator.md.
 *
 * Owns everything under mocks/: the control plane (server/, slb/, dns/, ecs/, faults/,
 * topology/, emulator/) and, through the World seam (world/types.ts), the simulated world.
 * Must never import from src/ (lint-enforced): it is the independent implementation drainctl's
 * adapters are checked against.
 *
 * @example
 *   import { startEmulator } from '../mocks/index.js';
 *   const emu = await startEmulator({ port: 0 });
 *   process.env.DRAINCTL_CLOUD_ENDPOINT = emu.endpoint;
 *   // …
 *   await emu.close();
 */

export { LoopbackAddressError } from './emulator/addresses.js';
export type { EmulatorContext } from './emulator/context.js';
export { EMULATOR_CREDENTIALS } from './emulator/credentials.js';
export {
  type Emulator,
  type StartEmulatorOptions,
  startEmulator,
} from './emulator/start-emulator.js';
export type { EmulatorState } from './emulator/state-snapshot.js';
export { DEFAULT_TIMINGS, type EmulatorTimings } from './emulator/timings.js';
export type { WorldFactory, WorldFactoryOptions } from './emulator/world-factory.js';
export type { ApiFault, Fault } from './faults/fault-schema.js';
export type { ActionCallCount } from './server/api-call-counts.js';
export { parseRateLimits, type RateLimitTable } from './server/rate-limits.js';
export { defaultTopology } from './topology/default-topology.js';
export { loadTopologyFile, parseTopology, TopologyError } from './topology/load-topology.js';
export type { Topology, TopologyInput } from './topology/schema.js';
export type { World, WorldFault } from './world/types.js';
