/**
 * The TrafficProbeFactory the engine is given: opens the probe a node's config asks for —
 * access log (local file or SSH tail) or connection count (through the Host port).
 */
import { DrainctlError } from '../errors/index.js';
import type { Clock, Host, TrafficProbeFactory } from '../ports/index.js';
import { openAccessLogProbe } from './access-log/access-log-probe.js';
import { openSshFollower } from './access-log/ssh-follower.js';
import { createConnectionProbe } from './connections/connection-probe.js';

export interface TrafficProbeDeps {
  clock: Clock;
  /** Runs `ss` for connection probes (Cloud Assistant or SSH). */
  host?: Host;
  /** Poll/progress interval of access-log probes (default 1 s). */
  tickMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Passphrase of the (encrypted) private key used to tail access logs over SSH. */
  sshPassphrase?: string;
}

/**
 * @example
 *   const openProbe = createTrafficProbeFactory({ clock: systemClock, host });
 *   const probe = await openProbe('i-1', { kind: 'access-log', source, format, filter });
 */
export function createTrafficProbeFactory(deps: TrafficProbeDeps): TrafficProbeFactory {
  return async (nodeId, config) => {
    if (config.kind === 'connections') {
      if (deps.host === undefined) {
        throw new DrainctlError(
          'PROBE_FAILED',
          `connection probe for ${nodeId}: no Host to run ss on`,
        );
      }
      return createConnectionProbe({
        host: deps.host,
        nodeId,
        port: config.port,
        ignoreCidrs: config.ignoreCidrs,
        clock: deps.clock,
      });
    }
    return openAccessLogProbe({
      source: config.source,
      format: config.format,
      filter: config.filter,
      clock: deps.clock,
      ...(deps.tickMs !== undefined ? { tickMs: deps.tickMs } : {}),
      openRemote: (source, sink) =>
        openSshFollower(
          {
            host: source.host,
            port: source.port,
            username: source.username,
            ...(source.privateKeyPath !== undefined
              ? { privateKeyPath: source.privateKeyPath }
              : {}),
            ...(source.knownHostsPath !== undefined
              ? { knownHostsPath: source.knownHostsPath }
              : {}),
            ...(source.hostKeyFingerprint !== undefined
              ? { hostKeyFingerprint: source.hostKeyFingerprint }
              : {}),
            ...(deps.sshPassphrase === undefined ? {} : { passphrase: deps.sshPassphrase }),
          },
          source.path,
          sink,
          { clock: deps.clock, ...(deps.env ? { env: deps.env } : {}) },
        ),
    });
  };
}
