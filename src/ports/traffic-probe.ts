/**
 * Knowing that real traffic has left a node (and, while restoring, how many of its answers are
 * 5xx). Implemented by the access-log probe (local file or SSH tail) and the connection probe.
 * Health-check requests are not traffic: probes filter them out before counting.
 */

/** Where an access log is read from. */
export type LogSource =
  | { type: 'local'; path: string }
  | {
      type: 'ssh';
      host: string;
      port: number;
      username: string;
      path: string;
      privateKeyPath?: string;
      /** known_hosts file to verify the host key against. */
      knownHostsPath?: string;
      /** Pinned host key fingerprint (`SHA256:…`), instead of known_hosts. */
      hostKeyFingerprint?: string;
    };

/** `combined` and `json` are built in; anything else is an nginx `log_format` string. */
export type LogFormat =
  | { kind: 'combined' }
  | { kind: 'json' }
  | { kind: 'nginx'; logFormat: string };

export interface TrafficFilter {
  /** Requests from these sources are not real traffic (default: the SLB health-check range 100.64.0.0/10). */
  ignoreCidrs: string[];
  ignoreUserAgents: string[];
  ignorePaths: string[];
  /** The listener's health check, so its requests are recognised by method and URI as well. */
  healthCheck?: { method: 'HEAD' | 'GET'; uri: string };
  /**
   * Layer-7 listeners: every request arrives from SLB addresses and the client is in
   * X-Forwarded-For, so source filtering must use the forwarded client, not the peer.
   */
  clientAddress: 'remote_addr' | 'x_forwarded_for';
}

export type TrafficProbeConfig =
  | { kind: 'access-log'; source: LogSource; format: LogFormat; filter: TrafficFilter }
  | { kind: 'connections'; port: number; ignoreCidrs: string[] };

export interface DrainProgress {
  /** Seconds since the wait began (monotonic). */
  elapsedSeconds: number;
  /** Real requests seen since the wait began. */
  realRequests: number;
  /** Health-check requests seen and ignored. */
  ignoredRequests: number;
  /** Real requests per second over the last few seconds. */
  requestsPerSecond: number;
  /** Seconds since the last real request (or since the wait began). */
  quietSeconds: number;
  /** Wall-clock time of the last real request, ISO. */
  lastRealRequestAt?: string;
  /** Open connections, for the connection probe. */
  connections?: number;
}

export interface DrainOutcome {
  outcome: 'drained' | 'timeout';
  waitedSeconds: number;
  /** Real requests since the wait began — with `continueQuiet`, since the decision it continues. */
  realRequests: number;
  lastRealRequestAt?: string;
  /** The last progress snapshot, for the report. */
  final: DrainProgress;
}

export interface DrainWaitOptions {
  quietSeconds: number;
  /** Counted from the start of this wait, also with `continueQuiet`. */
  timeoutSeconds: number;
  /**
   * Judge again rather than start over: quiet counts from where this probe's last `drained`
   * decision counted it, through the time since (the node was patched meanwhile). No real
   * request since → drained at once; one since → drained `quietSeconds` after the last. The
   * access-log probe reads its log between waits, so requests and spells without the log in
   * between count; the connection probe counts once more (connections opened and closed in
   * between are not seen). A probe without an earlier `drained` decision waits as usual.
   */
  continueQuiet?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: DrainProgress) => void;
}

export interface ErrorRateSample {
  seconds: number;
  requests: number;
  errors5xx: number;
  /** errors5xx / requests, 0 when there were no requests. */
  rate: number;
  /** The request times the log gave in the window; absent when it gave none (no `$request_time`). */
  requestTimes?: RequestTimeHistogram;
}

/**
 * Request times counted into buckets: `counts[i]` requests took at most `upperBoundsMs[i]` (and
 * more than the bound before). Fixed size, however many requests; every sample from one probe
 * kind shares the same bounds, so samples add up bucket by bucket.
 */
export interface RequestTimeHistogram {
  upperBoundsMs: readonly number[];
  counts: readonly number[];
  /** The sum of `counts`. */
  total: number;
}

export interface MeasureErrorRateOptions {
  seconds: number;
  signal?: AbortSignal;
  /**
   * Ends the window early once this returns true for the tally so far, checked after each read
   * of the source. One window watched to its end or stopped early counts every request in it:
   * there is no gap, as there would be between back-to-back shorter windows.
   */
  stopWhen?: (soFar: ErrorRateSample) => boolean;
}

export interface TrafficProbe {
  /**
   * Resolves `drained` after `quietSeconds` without a real request, or `timeout`. May be called
   * again on the same probe (see `continueQuiet`).
   */
  waitForDrain(options: DrainWaitOptions): Promise<DrainOutcome>;
  /** Watch real requests for `seconds` and count 5xx answers (used while restoring weight). */
  measureErrorRate(options: MeasureErrorRateOptions): Promise<ErrorRateSample>;
  close(): Promise<void>;
}

/** Opens a probe positioned at the end of the node's log (history is never replayed). */
export type TrafficProbeFactory = (
  nodeId: string,
  config: TrafficProbeConfig,
) => Promise<TrafficProbe>;
