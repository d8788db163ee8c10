/**
 * How the control plane obtains its simulated world: the options it passes (where to keep access
 * logs, where the DNS server binds, how fast things move) and the factory that builds one.
 */
import type { World } from '../world/types.js';
import type { EmulatorTimings } from './timings.js';

export interface WorldOptions {
  /** Access logs go to `<stateDir>/instances/<instanceId>/access.log`. */
  stateDir: string;
  /** The authoritative DNS server binds this address (UDP, port chosen by the OS). */
  dnsAddress: string;
  timings: EmulatorTimings;
}

export type WorldFactory = (options: WorldOptions) => Promise<World>;

/** The real world from mocks/world (branch emu-world). */
export const createDefaultWorld: WorldFactory = async () => {
  throw new Error('mocks/world provides no world factory yet (branch emu-world not merged)');
};
