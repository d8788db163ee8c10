/**
 * What a schedule fires now, given what it fired last: the one decision the server's scheduler
 * makes on every tick, and the only place `missed` is interpreted.
 */
import { type Occurrence, openOccurrence } from './occurrences.js';
import type { Schedule } from './schedule-schema.js';

/**
 * How long after its time an occurrence still counts as on time: cron's own resolution. Later
 * than this, it was missed (the server was down, or its timer fired far too late).
 */
export const ON_TIME_MS = 60_000;

export interface DueOccurrence {
  occurrence: Occurrence;
  /** Fired more than ON_TIME_MS after its time: only ever with `missed: runIfWithinWindow`. */
  late: boolean;
}

/**
 * The occurrence to fire at `now`, or undefined. It is the one whose window is open at `now`,
 * if it is later than `lastFired` (so each fires once); when it is late, only with `missed:
 * runIfWithinWindow`. A missed occurrence whose window has closed never fires.
 *
 * An occurrence with `blackout` set is due but must not run: the caller reports it skipped and
 * records it as fired, like one that ran. `lastFired` must survive a restart of the server (it
 * is kept with the schedule's state), or an occurrence could fire twice.
 */
export function dueOccurrence(
  schedule: Schedule,
  options: { now: Date; lastFired?: Date },
): DueOccurrence | undefined {
  const { now, lastFired } = options;
  const occurrence = openOccurrence(schedule, now);
  if (occurrence === undefined) return undefined;
  if (lastFired !== undefined && occurrence.at.getTime() <= lastFired.getTime()) return undefined;
  const late = now.getTime() - occurrence.at.getTime() > ON_TIME_MS;
  if (late && schedule.missed === 'skip') return undefined;
  return { occurrence, late };
}
