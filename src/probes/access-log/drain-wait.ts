/**
 * The drain decision, on an injected clock: drained once no real request has been seen for
 * `quietSeconds` while the log could be read; timeout after `timeoutSeconds`. Polls the source,
 * reports progress once per tick (ticks on a fixed grid from the start), and wakes exactly at the
 * quiet deadline so the decision is never late by a tick. A later wait may continue the last
 * `drained` decision (`continueQuiet`); between waits the probe keeps reading
 * (`readBetweenWaits`), so the time in between is judged too. Also the 5xx-rate measurement used
 * while weight is restored.
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
  /** Since when (monotonic ms) the log has been readable without a break. */
  availableSince(): number;
  lastRequest(): RequestSample | undefined;
  /** Progress ticks and poll interval. */
  tickMs: number;
  /** Kept across waits, for a wait that continues the last decision. */
  memory: DrainMemory;
}

/** What a probe remembers between its waits. */
export interface DrainMemory {
  /** The last moment (monotonic ms) the log could not be read, by a wait or between waits. */
  blindAt: number;
  /** The last `drained` decision: where its quiet period began, and the counts then. */
  drained?: { quietFrom: number; counts: TallyCounts };
  /** Reading between waits failed: the next wait or measurement throws it. */
  failure?: unknown;
}

export function newDrainMemory(): DrainMemory {
  return { blindAt: Number.NEGATIVE_INFINITY };
}

export async function waitForDrain(
  source: DrainSource,
  options: DrainWaitOptions,
): Promise<DrainOutcome> {
  const { clock, tally, memory } = source;
  throwFailureBetweenWaits(memory);
  const quietMs = options.quietSeconds * 1000;
  const timeoutMs = options.timeoutSeconds * 1000;
  const started = clock.monotonic();
  const carried = options.continueQuiet === true ? memory.drained : undefined;
  const from = carried?.quietFrom ?? started;
  const before = carried?.counts ?? tally.snapshot();
  for (;;) {
    options.signal?.throwIfAborted();
    await source.poll();
    const now = clock.monotonic();
    const available = noteAvailability(source, now);
    // Quiet only counts from after the last moment the log could not be read.
    const quietFrom = Math.max(from, tally.lastRealMonotonic, memory.blindAt);
    const quiet = now - quietFrom;
    const progress = buildProgress(source, before, started, now, quiet, available);
    options.onProgress?.(progress);
    if (available && quiet >= quietMs) {
      memory.drained = { quietFrom, counts: tally.snapshot() };
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

/**
 * Reads the source every tick until stopped (between waits, while the node is patched): lines
 * keep the time they were read at, and a spell without the log is remembered. A poll that
 * fails ends the reading; the next wait or measurement throws its error.
 */
export function readBetweenWaits(source: DrainSource): { stop(): Promise<void> } {
  const controller = new AbortController();
  const reading = (async () => {
    try {
      for (;;) {
        await sleepOn(source.clock, source.tickMs, controller.signal);
        await source.poll();
        noteAvailability(source, source.clock.monotonic());
      }
    } catch (error) {
      if (!controller.signal.aborted) source.memory.failure = error;
    }
  })();
  return {
    async stop() {
      controller.abort();
      await reading;
    },
  };
}

export async function measureErrorRate(
  source: DrainSource,
  options: MeasureErrorRateOptions,
): Promise<ErrorRateSample> {
  const { clock, tally } = source;
  throwFailureBetweenWaits(source.memory);
  // What was written before the window is not part of it.
  await source.poll();
  const before = tally.snapshot();
  const timesBefore = tally.requestTimes.slice();
  const timedBefore = tally.timed;
  const started = clock.monotonic();
  const windowMs = options.seconds * 1000;
  const soFar = (): ErrorRateSample => {
    const requests = tally.real - before.real;
    const errors5xx = tally.errors5xx - before.errors5xx;
    const requestTimes = tally.requestTimesSince(timesBefore, timedBefore);
    return {
      seconds: (clock.monotonic() - started) / 1000,
      requests,
      errors5xx,
      rate: requests === 0 ? 0 : errors5xx / requests,
      ...(requestTimes === undefined ? {} : { requestTimes }),
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

/**
 * Whether the log can be read now, remembering the last moment it could not: now, or — when it
 * became readable again between two polls — the moment it did.
 */
function noteAvailability(source: DrainSource, now: number): boolean {
  const { memory } = source;
  const available = source.available();
  memory.blindAt = available ? Math.max(memory.blindAt, source.availableSince()) : now;
  return available;
}

function throwFailureBetweenWaits(memory: DrainMemory): void {
  if (memory.failure === undefined) return;
  const failure = memory.failure;
  memory.failure = undefined;
  throw failure;
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
