/**
 * The drain decision, on an injected clock: drained once no real request has been seen for
 * `quietSeconds` while the log could be read; timeout after `timeoutSeconds`. Polls the source,
 * reports progress once per tick (ticks on a fixed grid from the start), and wakes exactly at the
 * quiet deadline so the decision is never late by a tick. Also the 5xx-rate measurement used while weight is restored.
 */
import { DrainctlError } from '../../errors/index.js';
import type {
  Clock,
  DrainOutcome,
  DrainProgress,
  DrainWaitOptions,
  ErrorRateSample,
  MeasureErrorRateOptions,
} from '../../ports/index.js';
import { sleepOn } from '../sleep.js';
import type { RequestSample } from './line-pipeline.js';
import type { TallyCounts, TrafficTally } from './traffic-tally.js';

/** What the access-log probe reports beyond the port's `DrainProgress`. */
export interface AccessLogProgress extends DrainProgress {
  /** False while the log cannot be read: the quiet period does not run while blind. */
  sourceAvailable: boolean;
  errors5xx: number;
  /** Lines the format did not fit (counted as real requests). */
  unparsedLines: number;
  truncatedLines: number;
  lastRequest?: RequestSample;
}

export interface DrainSource {
  clock: Clock;
  tally: TrafficTally;
  poll(): Promise<void>;
  available(): boolean;
  lastRequest(): RequestSample | undefined;
  /** Progress ticks and poll interval. */
  tickMs: number;
}

export async function waitForDrain(
  source: DrainSource,
  options: DrainWaitOptions,
): Promise<DrainOutcome> {
  const { clock, tally } = source;
  const quietMs = options.quietSeconds * 1000;
  const timeoutMs = options.timeoutSeconds * 1000;
  const started = clock.monotonic();
  const before = tally.snapshot();
  /** Last moment the log could not be read; quiet only counts from after it. */
  let blindAt = Number.NEGATIVE_INFINITY;
  for (;;) {
    options.signal?.throwIfAborted();
    await source.poll();
    const now = clock.monotonic();
    const available = source.available();
    if (!available) blindAt = now;
    const quietFrom = Math.max(started, tally.lastRealMonotonic, blindAt);
    const quiet = now - quietFrom;
    const progress = buildProgress(source, before, started, now, quiet, available);
    options.onProgress?.(progress);
    if (available && quiet >= quietMs) {
      return outcome('drained', progress, now - started);
    }
    if (now - started >= timeoutMs) {
      return outcome('timeout', progress, now - started);
    }
    const untilQuiet = available ? quietMs - quiet : source.tickMs;
    const untilTimeout = timeoutMs - (now - started);
    // Ticks keep to a grid from the start, so the time a poll takes does not push every later
    // tick (and the progress reported on it) back.
    const untilTick = source.tickMs - ((now - started) % source.tickMs);
    await sleepOn(
      clock,
      Math.max(1, Math.min(untilTick, untilQuiet, untilTimeout)),
      options.signal,
    );
  }
}

export async function measureErrorRate(
  source: DrainSource,
  options: MeasureErrorRateOptions,
): Promise<ErrorRateSample> {
  const { clock, tally } = source;
  // What was written before the window is not part of it.
  await source.poll();
  const before = tally.snapshot();
  const started = clock.monotonic();
  const windowMs = options.seconds * 1000;
  const soFar = (): ErrorRateSample => {
    const requests = tally.real - before.real;
    const errors5xx = tally.errors5xx - before.errors5xx;
    return {
      seconds: (clock.monotonic() - started) / 1000,
      requests,
      errors5xx,
      rate: requests === 0 ? 0 : errors5xx / requests,
    };
  };
  let sawLog = source.available();
  for (;;) {
    const elapsed = clock.monotonic() - started;
    if (elapsed >= windowMs) break;
    await sleepOn(clock, Math.min(source.tickMs, windowMs - elapsed), options.signal);
    await source.poll();
    sawLog ||= source.available();
    if (sawLog && options.stopWhen?.(soFar()) === true) break;
  }
  if (!sawLog) {
    // No evidence is not "no errors": a restore gate must not pass on it.
    throw new DrainctlError(
      'PROBE_BLIND',
      `the access log could not be read during the whole ${options.seconds} s window`,
      { retryable: true },
    );
  }
  return soFar();
}

function buildProgress(
  source: DrainSource,
  before: TallyCounts,
  started: number,
  now: number,
  quietMs: number,
  available: boolean,
): AccessLogProgress {
  const { tally } = source;
  const lastRequest = source.lastRequest();
  return {
    elapsedSeconds: seconds(now - started),
    realRequests: tally.real - before.real,
    ignoredRequests: tally.ignored - before.ignored,
    requestsPerSecond: tally.requestsPerSecond(now),
    quietSeconds: seconds(quietMs),
    ...(tally.lastRealWall !== undefined
      ? { lastRealRequestAt: new Date(tally.lastRealWall).toISOString() }
      : {}),
    sourceAvailable: available,
    errors5xx: tally.errors5xx - before.errors5xx,
    unparsedLines: tally.unparsed - before.unparsed,
    truncatedLines: tally.truncated - before.truncated,
    ...(lastRequest !== undefined ? { lastRequest } : {}),
  };
}

function outcome(
  kind: 'drained' | 'timeout',
  final: AccessLogProgress,
  waitedMs: number,
): DrainOutcome {
  return {
    outcome: kind,
    waitedSeconds: seconds(waitedMs),
    realRequests: final.realRequests,
    ...(final.lastRealRequestAt !== undefined
      ? { lastRealRequestAt: final.lastRealRequestAt }
      : {}),
    final,
  };
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
