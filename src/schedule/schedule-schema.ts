/**
 * What one schedule may say (a `schedules:` entry of serve.yaml). Every refusal is phrased as
 * what was expected, like the workflow's schema, so a bad file reads
 * `schedules[0].timezone: expected an IANA time zone like Asia/Shanghai, found "Mars/Base"`.
 */
import { z } from 'zod';
import { parseWallClockCron, shortestGap } from './wall-clock-cron.js';
import { isCalendarDate, isKnownZone } from './zone-time.js';

/** A week: a longer window is a typo (hours written as minutes). */
export const MAX_WINDOW_MINUTES = 10_080;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NAME_PHRASE = 'a name of 1 to 64 letters, digits, ".", "_" or "-" (first a letter or digit)';

const name = (description: string) =>
  z.string({ error: NAME_PHRASE }).regex(NAME, { error: NAME_PHRASE }).meta({ description });

const cronExpression = z
  .string({ error: 'a cron expression like "0 2 * * 3"' })
  .check((ctx) => {
    const parsed = parseWallClockCron(ctx.value);
    if (typeof parsed !== 'string') return;
    ctx.issues.push({
      code: 'custom',
      input: ctx.value,
      message: `a cron expression of five fields (minute hour day-of-month month day-of-week) like "0 2 * * 3" (croner: ${parsed})`,
    });
  })
  .meta({
    description:
      'Five-field cron expression read on the local wall clock of `timezone`: minute hour day-of-month month day-of-week.',
  });

const ZONE_PHRASE = 'an IANA time zone like Asia/Shanghai or Europe/Berlin';
const timezone = z
  .string({ error: ZONE_PHRASE })
  .refine(isKnownZone, { error: ZONE_PHRASE })
  .meta({ description: 'IANA time zone the cron expression and blackout dates are read in.' });

const DATE_PHRASE = 'a calendar date YYYY-MM-DD';
const calendarDate = z.string({ error: DATE_PHRASE }).refine(isCalendarDate, {
  error: DATE_PHRASE,
});

const blackoutRange = z
  .strictObject({
    from: calendarDate.meta({ description: 'First blacked-out day (inclusive).' }),
    to: calendarDate.meta({ description: 'Last blacked-out day (inclusive).' }),
    reason: z
      .string({ error: 'text saying why (a sale, a freeze)' })
      .min(1, { error: 'text saying why (a sale, a freeze)' })
      .optional()
      .meta({ description: 'Why: shown where a skipped occurrence is reported.' }),
  })
  .refine((range) => range.from <= range.to, {
    error: 'a range whose `from` is not after its `to`',
    path: ['to'],
  });

const BLACKOUT_PHRASE = 'a date YYYY-MM-DD or a range {from, to, reason}';
const blackoutEntry = z.union([calendarDate, blackoutRange], { error: BLACKOUT_PHRASE });

export const scheduleSchema = z
  .strictObject({
    name: name('Unique name of the schedule: in the API, metrics and notifications.'),
    workflow: name('Name of the workflow in the catalog that this schedule runs.'),
    cron: cronExpression,
    timezone,
    windowMinutes: z
      .int({ error: `a whole number of minutes from 1 to ${MAX_WINDOW_MINUTES} (a week)` })
      .min(1, { error: `a whole number of minutes from 1 to ${MAX_WINDOW_MINUTES} (a week)` })
      .max(MAX_WINDOW_MINUTES, {
        error: `a whole number of minutes from 1 to ${MAX_WINDOW_MINUTES} (a week)`,
      })
      .meta({
        description:
          'How long after an occurrence a server may still start its drain; at most the gap to the next occurrence.',
      }),
    blackout: z
      .array(blackoutEntry, { error: `a list of ${BLACKOUT_PHRASE}` })
      .default([])
      .meta({
        description:
          "Days (in the schedule's time zone) on which no window of this schedule may run.",
      }),
    missed: z
      .enum(['skip', 'runIfWithinWindow'], { error: 'one of skip, runIfWithinWindow' })
      .default('skip')
      .meta({
        description:
          'An occurrence missed while the server was down: skip it, or run it while its window is still open.',
      }),
    carryOver: z.boolean({ error: 'true or false' }).default(false).meta({
      description: 'Servers a window closed on are taken first in the next occurrence.',
    }),
    resumeUnfinished: z.boolean({ error: 'true or false' }).default(false).meta({
      description:
        "Resume this schedule's run left unfinished by a crash of the server on start, without an operator.",
    }),
  })
  .check((ctx) => {
    const cron = parseWallClockCron(ctx.value.cron);
    if (typeof cron === 'string') return;
    const gap = shortestGap(cron);
    if (ctx.value.windowMinutes <= gap) return;
    ctx.issues.push({
      code: 'custom',
      input: ctx.value.windowMinutes,
      path: ['windowMinutes'],
      message: `at most ${gap} minute(s): "${ctx.value.cron}" fires again ${gap} minute(s) after an occurrence, and windows may not overlap`,
    });
  });

/** One schedule, defaults applied. */
export type Schedule = z.output<typeof scheduleSchema>;
/** One schedule as written (fields with defaults optional). */
export type ScheduleInput = z.input<typeof scheduleSchema>;
export type BlackoutEntry = Schedule['blackout'][number];

/** Every schedule of a file: each as above, their names unique. */
export const schedulesSchema = z
  .array(scheduleSchema, { error: 'a list of schedules' })
  .check((ctx) => {
    const seen = new Set<string>();
    ctx.value.forEach((schedule, index) => {
      if (seen.has(schedule.name)) {
        ctx.issues.push({
          code: 'custom',
          input: schedule.name,
          path: [index, 'name'],
          message: 'a name no other schedule has',
        });
      }
      seen.add(schedule.name);
    });
  });
