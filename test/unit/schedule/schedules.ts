/** Schedules for the tests of src/schedule, built through the schema as a file's would be. */
import { type Schedule, type ScheduleInput, scheduleSchema } from '#src/schedule/index.js';

export function schedule(fields: Partial<ScheduleInput> = {}): Schedule {
  return scheduleSchema.parse({
    name: 'patch-night',
    workflow: 'kernel-patch',
    cron: '0 2 * * 3',
    timezone: 'Asia/Shanghai',
    windowMinutes: 120,
    ...fields,
  });
}

export const at = (iso: string) => new Date(iso);
