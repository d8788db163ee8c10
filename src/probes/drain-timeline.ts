/**
 * The story of one drain wait, for people and for `--json`: when it started, when real traffic
 * came and went, what happened to the log (rotation, truncation), how it ended. Built from the
 * probe's progress ticks and events; bounded in size however long the wait.
 */
import type { DrainOutcome } from '../ports/index.js';
import type { AccessLogProgress } from './access-log/drain-wait.js';
import type { FollowerEvent } from './access-log/log-follower.js';

export interface TimelineEntry {
  /** Wall-clock time, ISO. */
  at: string;
  elapsedSeconds: number;
  event: 'start' | 'traffic' | 'quiet' | 'log' | 'drained' | 'timeout';
  detail: string;
}

/** While traffic flows, one summary entry per this many seconds. */
const TRAFFIC_SUMMARY_SECONDS = 10;

export class DrainTimeline {
  readonly entries: TimelineEntry[] = [];
  /** Entries dropped to keep the timeline bounded (the middle goes; start and end stay). */
  omitted = 0;
  private busy = false;
  private lastSummaryAt = Number.NEGATIVE_INFINITY;
  private lastReal = 0;

  constructor(
    private readonly startedAt: number,
    private readonly maxEntries = 400,
  ) {}

  start(detail: string): void {
    this.push(this.startedAt, 0, 'start', detail);
  }

  progress(progress: AccessLogProgress, nowWall: number): void {
    const sawTraffic = progress.realRequests > this.lastReal;
    const newRequests = progress.realRequests - this.lastReal;
    this.lastReal = progress.realRequests;
    if (sawTraffic && !this.busy) {
      this.busy = true;
      this.lastSummaryAt = progress.elapsedSeconds;
      this.push(
        nowWall,
        progress.elapsedSeconds,
        'traffic',
        `real traffic: ${newRequests} request(s)${describeLast(progress)}`,
      );
    } else if (
      sawTraffic &&
      progress.elapsedSeconds - this.lastSummaryAt >= TRAFFIC_SUMMARY_SECONDS
    ) {
      this.lastSummaryAt = progress.elapsedSeconds;
      this.push(
        nowWall,
        progress.elapsedSeconds,
        'traffic',
        `still ${progress.requestsPerSecond} real req/s, ${progress.realRequests} so far${describeLast(progress)}`,
      );
    } else if (!sawTraffic && this.busy) {
      this.busy = false;
      this.push(
        nowWall,
        progress.elapsedSeconds,
        'quiet',
        `no real request since ${progress.lastRealRequestAt ?? 'the start'}`,
      );
    }
  }

  event(event: FollowerEvent, atWall: number, elapsedSeconds: number): void {
    this.push(atWall, elapsedSeconds, 'log', `${event.type}: ${event.detail}`);
  }

  finish(result: DrainOutcome, nowWall: number, quietSeconds: number): void {
    const final = result.final as AccessLogProgress;
    const counts = `${result.realRequests} real request(s), ${final.ignoredRequests} ignored`;
    const detail =
      result.outcome === 'drained'
        ? `drained: no real request for ${quietSeconds} s (${counts})`
        : `timed out after ${result.waitedSeconds} s: ${
            final.sourceAvailable === false
              ? 'the log could not be read'
              : `last real request ${result.lastRealRequestAt ?? 'never'}, quiet only ${final.quietSeconds} s`
          } (${counts})`;
    this.push(nowWall, result.waitedSeconds, result.outcome, detail);
  }

  /** One line per entry: `02:00:05 (+5.0 s) traffic  real traffic: 3 request(s) …`. */
  render(): string[] {
    const lines = this.entries.map(
      (e) =>
        `${e.at.slice(11, 19)} (+${e.elapsedSeconds.toFixed(1)} s) ${e.event.padEnd(7)} ${e.detail}`,
    );
    if (this.omitted > 0) lines.splice(1, 0, `… ${this.omitted} entries omitted …`);
    return lines;
  }

  private push(
    atWall: number,
    elapsedSeconds: number,
    event: TimelineEntry['event'],
    detail: string,
  ): void {
    if (this.entries.length >= this.maxEntries) {
      this.entries.splice(1, 1);
      this.omitted++;
    }
    this.entries.push({ at: new Date(atWall).toISOString(), elapsedSeconds, event, detail });
  }
}

function describeRequest(progress: AccessLogProgress): string {
  const last = progress.lastRequest;
  if (last === undefined) return '';
  const what = [last.method, last.path].filter(Boolean).join(' ');
  return `${what}${last.client ? ` from ${last.client}` : ''}${last.status !== undefined ? ` → ${last.status}` : ''}`;
}

function describeLast(progress: AccessLogProgress): string {
  const request = describeRequest(progress);
  return request === '' ? '' : `, e.g. ${request}`;
}

/** The one-line live view: `+12.0 s  real 34 (2.4/s)  ignored 10  quiet 3.0/30 s`. */
export function formatProgressLine(progress: AccessLogProgress, quietSeconds: number): string {
  const parts = [
    `+${progress.elapsedSeconds.toFixed(1)} s`,
    `real ${progress.realRequests} (${progress.requestsPerSecond}/s)`,
    `ignored ${progress.ignoredRequests}`,
    progress.sourceAvailable
      ? `quiet ${progress.quietSeconds.toFixed(1)}/${quietSeconds} s`
      : 'log not readable',
  ];
  if (progress.unparsedLines > 0) parts.push(`${progress.unparsedLines} unparsed (format?)`);
  if (progress.truncatedLines > 0) parts.push(`${progress.truncatedLines} over-long`);
  const last = describeRequest(progress);
  if (last !== '') parts.push(`last ${last}`);
  return parts.join('  ');
}
