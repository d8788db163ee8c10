/**
 * Blackout days: sales days, holidays, freezes, as calendar dates in the schedule's zone. An
 * occurrence is blacked out when any day its window touches is: a run must not start before a
 * sale and still be draining servers when it begins.
 */
import type { BlackoutEntry, Schedule } from './schedule-schema.js';
import { nextCalendarDate } from './zone-time.js';

/**
 * Why `date` (`YYYY-MM-DD`, in the schedule's zone) is blacked out, or undefined when it is not:
 * `blackout 2026-11-11`, `blackout 2026-11-10 to 2026-11-12`, `sale (blackout 2026-11-11)`.
 */
export function blackoutOf(schedule: Schedule, date: string): string | undefined {
  const entry = schedule.blackout.find((candidate) => covers(candidate, date));
  if (entry === undefined) return undefined;
  if (typeof entry === 'string') return `blackout ${entry}`;
  const days = entry.from === entry.to ? entry.from : `${entry.from} to ${entry.to}`;
  return entry.reason === undefined ? `blackout ${days}` : `${entry.reason} (blackout ${days})`;
}

/** The first blackout among the days from `first` to `last` (inclusive), if any. */
export function blackoutBetween(
  schedule: Schedule,
  first: string,
  last: string,
): string | undefined {
  if (schedule.blackout.length === 0) return undefined;
  for (let date = first; date <= last; date = nextCalendarDate(date)) {
    const reason = blackoutOf(schedule, date);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

function covers(entry: BlackoutEntry, date: string): boolean {
  // Same-length ISO dates compare as text in calendar order.
  return typeof entry === 'string' ? entry === date : entry.from <= date && date <= entry.to;
}
