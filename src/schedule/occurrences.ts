/**
 * When a schedule fires. The cron expression picks local wall times (wall-clock-cron.ts); each
 * becomes the instant it stands for in the schedule's zone (zone-time.ts), and instants that two
 * wall times share (a skipped 02:00 read as 03:00, when 03:00 matches too) are one occurrence.
 * So every occurrence is strictly later than the one before, and every matching local time
 * fires exactly once: a skipped time as many minutes after the gap as it was into it, a repeated
 * time on its first pass. Pure: `after` and `now` are always parameters.
 */
import { blackoutBetween } from './blackout.js';
import type { Schedule } from './schedule-schema.js';
import { nextWallTime, parseWallClockCron, type WallClockCron } from './wall-clock-cron.js';
import { instantOfWallTime, localTimeOf, offsetMsAt } from './zone-time.js';

const MINUTE_MS = 60_000;
/**
 * The largest change of a zone's offset that the search for occurrences allows for around the
 * time it starts from. The time-zone database's current rules change offsets by an hour at
 * most (half an hour on Lord Howe Island, two at the Troll station); the last bigger jump,
 * Samoa's day across the date line, was in 2011.
 */
const OFFSET_CHANGE_MS = 3 * 60 * MINUTE_MS;

export interface Occurrence {
  at: Date;
  /** The local time with its offset: `2026-03-29T03:30:00+02:00`. */
  local: string;
  /** The same instant in UTC: `2026-03-29T01:30:00.000Z`. */
  utc: string;
  /** Why the occurrence does not run, when its window touches a blackout day. */
  blackout?: string;
}

/** The next `count` occurrences strictly after `after`, earliest first. */
export function nextOccurrences(schedule: Schedule, after: Date, count: number): Occurrence[] {
  const times = occurrenceTimes(schedule, after, count + 1);
  return times
    .slice(0, count)
    .map((at, index) => describeOccurrence(schedule, at, times[index + 1]));
}

/**
 * When the window opened at `occurrence` closes: `windowMinutes` after it, or at the next
 * occurrence if that comes first (a day shortened by DST), so windows never overlap. No server
 * starts its drain at or after this instant.
 */
export function windowClosesAt(schedule: Schedule, occurrence: Pick<Occurrence, 'at'>): Date {
  const [next] = occurrenceTimes(schedule, occurrence.at, 1);
  return closeOf(schedule, occurrence.at, next);
}

/** True while `now` is inside the occurrence's window: at or after it, before it closes. */
export function isWithinWindow(
  schedule: Schedule,
  occurrence: Pick<Occurrence, 'at'>,
  now: Date,
): boolean {
  return (
    occurrence.at.getTime() <= now.getTime() &&
    now.getTime() < windowClosesAt(schedule, occurrence).getTime()
  );
}

/**
 * The latest occurrence at or before `now` whose window is still open at `now` (windows do not
 * overlap, so there is at most one).
 */
export function openOccurrence(schedule: Schedule, now: Date): Occurrence | undefined {
  const windowMs = schedule.windowMinutes * MINUTE_MS;
  let cursor = new Date(now.getTime() - windowMs);
  for (;;) {
    const [at, next] = occurrenceTimes(schedule, cursor, 2);
    if (at === undefined || at.getTime() > now.getTime()) break;
    if (now.getTime() < closeOf(schedule, at, next).getTime()) {
      return describeOccurrence(schedule, at, next);
    }
    cursor = at;
  }
  return undefined;
}

function describeOccurrence(schedule: Schedule, at: Date, next: Date | undefined): Occurrence {
  const local = localTimeOf(at, schedule.timezone);
  const lastStart = new Date(closeOf(schedule, at, next).getTime() - 1);
  const blackout =
    schedule.blackout.length === 0
      ? undefined
      : blackoutBetween(schedule, local.date, localTimeOf(lastStart, schedule.timezone).date);
  return {
    at,
    local: local.iso,
    utc: at.toISOString(),
    ...(blackout === undefined ? {} : { blackout }),
  };
}

function closeOf(schedule: Schedule, at: Date, next: Date | undefined): Date {
  const end = at.getTime() + schedule.windowMinutes * MINUTE_MS;
  return new Date(next === undefined ? end : Math.min(end, next.getTime()));
}

/**
 * The first `count` instants strictly after `after`, earliest first. Wall times are read from a
 * little before the one `after` shows, and the search ends once no later wall time can stand for
 * an instant earlier than the last one kept: across a spring-forward gap, mapping wall times to
 * instants does not keep their order.
 */
function occurrenceTimes(schedule: Schedule, after: Date, count: number): Date[] {
  // The search ends on the count-th time kept: with none wanted it would never end.
  if (count < 1) return [];
  const cron = wallClockCron(schedule);
  const offset = offsetMsAt(after, schedule.timezone);
  const found: number[] = [];
  let wall = nextWallTime(cron, new Date(after.getTime() + offset - OFFSET_CHANGE_MS));
  while (wall !== undefined) {
    const last = found[count - 1];
    if (last !== undefined && wall.getTime() - offset - OFFSET_CHANGE_MS > last) break;
    const at = instantOfWallTime(wall, schedule.timezone).getTime();
    if (at > after.getTime() && !found.includes(at)) {
      found.push(at);
      found.sort((a, b) => a - b);
      found.length = Math.min(found.length, count);
    }
    wall = nextWallTime(cron, wall);
  }
  return found.map((at) => new Date(at));
}

function wallClockCron(schedule: Schedule): WallClockCron {
  const cron = parseWallClockCron(schedule.cron);
  // A Schedule comes from scheduleSchema, which refused every expression croner cannot parse.
  if (typeof cron === 'string') throw new TypeError(`invalid cron "${schedule.cron}": ${cron}`);
  return cron;
}
