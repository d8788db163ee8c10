/**
 * `drainctl schedule list --config serve.yaml [--json] [--count N]`: every schedule's next
 * occurrences, local and UTC, blackout hits marked (src/app/schedule-list.ts). Reads only.
 */
import type { Command } from 'commander';
import { listSchedules, type ScheduleList } from '../../app/index.js';
import { InvalidInputError } from '../../errors/index.js';
import type { CliContext } from '../cli-context.js';

const MAX_COUNT = 100;

export function registerSchedule(program: Command, ctx: CliContext): void {
  const schedule = program
    .command('schedule')
    .description("patch-night schedules in serve.yaml: each one's next occurrences");
  schedule
    .command('list')
    .description(
      'every schedule with its next occurrences, local and UTC, blackout days marked; reads only',
    )
    .requiredOption('--config <file>', 'the serve.yaml whose `schedules:` to list')
    .option('--count <n>', `occurrences per schedule (1 to ${MAX_COUNT})`, '5')
    .option('--json', 'print the schedules as one JSON document')
    .action(async (options: { config: string; count: string; json?: boolean }) => {
      const list = await listSchedules({
        configFile: options.config,
        count: parseCount(options.count),
      });
      if (options.json) ctx.stdout.json(toJson(list));
      else for (const line of formatScheduleList(list)) ctx.stdout.line(line);
    });
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1 || count > MAX_COUNT) {
    const expected = `a whole number from 1 to ${MAX_COUNT}`;
    throw new InvalidInputError(`--count: expected ${expected}, found "${value}"`, {
      path: '--count',
      expected,
      found: `"${value}"`,
    });
  }
  return count;
}

function toJson(list: ScheduleList) {
  return {
    config: list.file,
    now: list.now.toISOString(),
    schedules: list.schedules.map(({ schedule, occurrences }) => ({
      ...schedule,
      occurrences: occurrences.map(({ local, utc, blackout }) => ({
        local,
        utc,
        ...(blackout === undefined ? {} : { blackout }),
      })),
    })),
  };
}

/**
 * patch-night: kernel-patch at "0 2 * * 3" Asia/Shanghai, window 120 min, missed: skip
 *   2026-12-09T02:00:00+08:00  2026-12-08T18:00:00.000Z
 *   2026-12-16T02:00:00+08:00  2026-12-15T18:00:00.000Z  skipped: sale (blackout 2026-12-16)
 */
export function formatScheduleList(list: ScheduleList): string[] {
  if (list.schedules.length === 0) return [`${list.file}: no schedules`];
  return list.schedules.flatMap(({ schedule, occurrences }, index) => [
    ...(index === 0 ? [] : ['']),
    `${schedule.name}: ${schedule.workflow} at "${schedule.cron}" ${schedule.timezone}, window ${schedule.windowMinutes} min, missed: ${schedule.missed}${schedule.carryOver ? ', carry-over' : ''}`,
    ...occurrences.map(
      (occurrence) =>
        `  ${occurrence.local}  ${occurrence.utc}${occurrence.blackout === undefined ? '' : `  skipped: ${occurrence.blackout}`}`,
    ),
  ]);
}
