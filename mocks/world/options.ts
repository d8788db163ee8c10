/**
 * How fast the simulated world moves. Defaults are short so tests and the demo are brisk; a
 * rehearsal can slow them to real-life values (a real reboot takes 30–90 s).
 */
export interface WorldTimings {
  /** Status Stopping after a reboot starts (the OS shutting down). */
  stoppingSeconds: number;
  /** Status Starting (firmware, kernel, init) before the hypervisor reports Running. */
  bootSeconds: number;
  /**
   * After Running, until the app accepts connections again: the hypervisor says Running before
   * nginx is up, as on a real cloud, so "Running" alone must never be taken as "serving".
   */
  appStartSeconds: number;
  /** nginx `keepalive_requests`: requests served on one connection before the app closes it. */
  keepaliveRequests: number;
  /** nginx `keepalive_timeout`: an idle keep-alive connection is closed after this long. */
  keepaliveTimeoutSeconds: number;
  /** How long a package update (yum/dnf/apt) takes inside a Cloud Assistant command. */
  packageUpdateSeconds: number;
}

export const defaultTimings: WorldTimings = {
  stoppingSeconds: 0.3,
  bootSeconds: 1.5,
  appStartSeconds: 0.3,
  keepaliveRequests: 100,
  keepaliveTimeoutSeconds: 5,
  packageUpdateSeconds: 0.5,
};

/**
 * `combined` is nginx's predefined format. `combined_request_time` appends ` $request_time`
 * (seconds, millisecond resolution), as many sites' `log_format` does.
 */
export type AccessLogFormat = 'combined' | 'combined_request_time';

export interface WorldOptions {
  /** Instance folders (`instances/<id>/access.log`) are created under it. */
  stateDir: string;
  /** Loopback address the authoritative DNS server binds (the emulator's block `.53`). */
  dnsHost?: string;
  timings?: Partial<WorldTimings>;
  accessLogFormat?: AccessLogFormat;
  /** Source of randomness for the 5xx fault and SLB source addresses; tests may pin it. */
  random?: () => number;
  /** Receives failures that have no caller to report to (e.g. an access log write failing). */
  onError?: (error: Error) => void;
}

export interface ResolvedOptions {
  stateDir: string;
  dnsHost: string;
  timings: WorldTimings;
  accessLogFormat: AccessLogFormat;
  random: () => number;
  onError: (error: Error) => void;
}

export function resolveOptions(options: WorldOptions): ResolvedOptions {
  const timings = { ...defaultTimings, ...options.timings };
  for (const [key, value] of Object.entries(timings)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`world timing ${key} must be a non-negative number, got ${value}`);
    }
  }
  return {
    stateDir: options.stateDir,
    dnsHost: options.dnsHost ?? '127.0.0.1',
    timings,
    accessLogFormat: options.accessLogFormat ?? 'combined',
    random: options.random ?? Math.random,
    onError: options.onError ?? ((error) => process.emitWarning(error)),
  };
}
