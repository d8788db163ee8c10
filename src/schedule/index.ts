/**
 * Schedules for patch nights: what a `schedules:` entry may say (scheduleSchema), when it fires
 * (nextOccurrences, dueOccurrence), how long its window stays open (windowClosesAt,
 * isWithinWindow), which days are blacked out (blackoutOf), and the order of a run that carries
 * over servers a closed window kept it from (carryOverOrder). docs/schedules.md explains the
 * rules (DST, blackout, missed occurrences, carry-over) with examples.
 *
 * Pure: no I/O, no process, no clock — the current time is always a parameter (lint-enforced).
 * croner does the cron parsing and the time-zone arithmetic and is never started (no timers).
 */

export { blackoutOf } from './blackout.js';
export { carryOverOrder } from './carry-over.js';
export { type DueOccurrence, dueOccurrence, ON_TIME_MS } from './due-occurrence.js';
export {
  isWithinWindow,
  nextOccurrences,
  type Occurrence,
  openOccurrence,
  windowClosesAt,
} from './occurrences.js';
export {
  type BlackoutEntry,
  MAX_WINDOW_MINUTES,
  type Schedule,
  type ScheduleInput,
  scheduleSchema,
  schedulesSchema,
} from './schedule-schema.js';
