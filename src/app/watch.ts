/**
 * The `watch` use case: a stand-alone drain probe. Follow an access log — a local file, or tailed
 * over SSH — until no real request arrived for `quietSeconds`, or give up after
 * `timeoutSeconds`, keeping a timeline of what happened. The settings are validated input: the
 * CLI builds them from its flags with the schema of a workflow's `drain` block.
 */
import { openRegularFile, unreadableFileFound } from '../config/regular-file.js';
import { DrainctlError, InvalidInputError } from '../errors/index.js';
import type { DrainOutcome, LogFormat, LogSource, TrafficFilter } from '../ports/index.js';
import type { AccessLogProgress } from '../probes/access-log/drain-wait.js';
import type { FollowerEvent } from '../probes/access-log/log-follower.js';
import { DrainTimeline } from '../probes/drain-timeline.js';
import { openAccessLogWatch, systemClock } from './composition-root.js';

export type { AccessLogProgress } from '../probes/access-log/drain-wait.js';
export { checkLogFormat } from '../probes/access-log/line-parser.js';
export { type DrainTimeline, formatProgressLine } from '../probes/drain-timeline.js';
export { SLB_HEALTH_CHECK_CIDR } from '../probes/net/cidr-set.js';
export { ProgressCadence } from '../probes/progress-cadence.js';

export interface WatchSettings {
  source: LogSource;
  /** The log as people name it: the path, or `user@host:path`. */
  display: string;
  format: LogFormat;
  filter: TrafficFilter;
  quietSeconds: number;
  timeoutSeconds: number;
}

export interface WatchOptions {
  /** Where DRAINCTL_SSH_PASSPHRASE is read from, for an encrypted key of an ssh:// log. */
  env: NodeJS.ProcessEnv;
  /** Ends the watch: it rejects with INTERRUPTED. */
  signal: AbortSignal;
  /** The log was rotated, truncated, (re)connected… */
  onEvent?: (event: FollowerEvent) => void;
  /** The watch began: what is followed, in which format, and what is ignored. */
  onStart?: (what: string) => void;
  onProgress?: (progress: AccessLogProgress) => void;
  /** Interrupted by the signal: the timeline so far, before the INTERRUPTED error is thrown. */
  onInterrupted?: (timeline: DrainTimeline) => void;
}

export interface WatchResult {
  result: DrainOutcome;
  timeline: DrainTimeline;
  /** The log format as the probe reads it. */
  formatDescription: string;
}

/** @example const { result } = await watchAccessLog(settings, { env, signal }); */
export async function watchAccessLog(
  settings: WatchSettings,
  options: WatchOptions,
): Promise<WatchResult> {
  if (settings.source.type === 'local') await checkLocalLog(settings.source.path);
  const clock = systemClock;
  const startedAt = clock.now();
  const startedMono = clock.monotonic();
  const timeline = new DrainTimeline(startedAt);
  // The timeline handed back is complete: what the log does while the probe closes is not in it.
  let ended = false;
  const probe = await openAccessLogWatch({
    source: settings.source,
    format: settings.format,
    filter: settings.filter,
    clock,
    env: options.env,
    onEvent: (event) => {
      if (!ended) timeline.event(event, event.at, (event.atMonotonic - startedMono) / 1000);
      options.onEvent?.(event);
    },
  });
  const what = `${settings.display} (${probe.formatDescription}; ignoring ${describeFilter(settings.filter)})`;
  timeline.start(
    `watching ${what}; drained after ${settings.quietSeconds} s without a real request`,
  );
  options.onStart?.(what);
  try {
    const result = await probe.waitForDrain({
      quietSeconds: settings.quietSeconds,
      timeoutSeconds: settings.timeoutSeconds,
      signal: options.signal,
      onProgress: (progress) => {
        const p = progress as AccessLogProgress;
        timeline.progress(p, clock.now());
        options.onProgress?.(p);
      },
    });
    timeline.finish(result, clock.now(), settings.quietSeconds);
    return { result, timeline, formatDescription: probe.formatDescription };
  } catch (error) {
    if (!options.signal.aborted) throw error;
    options.onInterrupted?.(timeline);
    throw new DrainctlError(
      'INTERRUPTED',
      'watch was interrupted before the log was judged drained',
      {
        cause: error,
      },
    );
  } finally {
    ended = true;
    await probe.close();
  }
}

/**
 * A stand-alone watch of a file that is not there is most likely a typo: refuse it at once,
 * naming the file, instead of waiting out the timeout (exit 4). Inside a run the probe still
 * waits for a log that appears later (rotation).
 */
async function checkLocalLog(path: string): Promise<void> {
  let found: string;
  try {
    await (await openRegularFile(path)).close();
    return;
  } catch (cause) {
    found = unreadableFileFound(cause);
  }
  const expected = 'a readable access log file';
  throw new InvalidInputError(`${path}: expected ${expected}, found ${found}`, {
    file: path,
    path: '<access-log>',
    expected,
    found,
  });
}

function describeFilter(filter: TrafficFilter): string {
  const parts = [...filter.ignoreCidrs];
  if (filter.healthCheck) parts.push(`${filter.healthCheck.method} ${filter.healthCheck.uri}`);
  parts.push(...filter.ignorePaths.map((p) => `path ${p}`));
  parts.push(...filter.ignoreUserAgents.map((a) => `UA "${a}"`));
  if (filter.clientAddress === 'x_forwarded_for') parts.push('client from X-Forwarded-For');
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}
