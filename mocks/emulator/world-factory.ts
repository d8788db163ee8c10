/**
 * How the control plane obtains its simulated world: the options it passes (where access logs
 * go, where the DNS server binds, how fast things move) and the factory that builds one.
 */
import { type AccessLogFormat, createWorld } from '../world/index.js';
import type { World } from '../world/types.js';
import type { EmulatorTimings } from './timings.js';

export interface WorldFactoryOptions {
  /** Access logs go to `<stateDir>/instances/<instanceId>/access.log`. */
  stateDir: string;
  /** The authoritative DNS server binds this address (UDP, port chosen by the OS). */
  dnsAddress: string;
  timings: EmulatorTimings;
  accessLogFormat?: AccessLogFormat;
  /** Failures with no caller to report to (e.g. an access log write failing). */
  onError?: (error: Error) => void;
}

export type WorldFactory = (options: WorldFactoryOptions) => Promise<World>;

/** The simulated world of mocks/world. */
export const createDefaultWorld: WorldFactory = async (options) => {
  const { healthCheckScale: _scale, ...timings } = options.timings;
  return createWorld({
    stateDir: options.stateDir,
    dnsHost: options.dnsAddress,
    timings,
    accessLogFormat: options.accessLogFormat,
    onError: options.onError,
  });
};
