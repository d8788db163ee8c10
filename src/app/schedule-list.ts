/**
 * `drainctl schedule list`: every schedule of a serve.yaml with its next occurrences, local and
 * UTC, blackout hits marked. Reads the file only; the time is this machine's clock unless given.
 */
import { nextOccurrences, type Occurrence, type Schedule } from '../schedule/index.js';
import { systemClock } from './composition-root.js';
import { loadScheduleSection } from './schedule-section.js';

export interface ScheduleListOptions {
  configFile: string;
  /** How many occurrences of each schedule. */
  count: number;
  /** From when (default: now). */
  now?: Date;
}

export interface ScheduledOccurrences {
  schedule: Schedule;
  occurrences: Occurrence[];
}

export interface ScheduleList {
  file: string;
  now: Date;
  schedules: ScheduledOccurrences[];
}

export async function listSchedules(options: ScheduleListOptions): Promise<ScheduleList> {
  const section = await loadScheduleSection(options.configFile);
  const now = options.now ?? new Date(systemClock.now());
  return {
    file: section.file,
    now,
    schedules: section.schedules.map((schedule) => ({
      schedule,
      occurrences: nextOccurrences(schedule, now, options.count),
    })),
  };
}
