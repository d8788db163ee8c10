/**
 * The `schedules:` of serve.yaml: each problem is refused with the file, its line, the path
 * inside it, what was expected and what was found; the other keys pass through unread.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseScheduleSection } from '#src/app/schedule-section.js';
import { InvalidInputError } from '#src/errors/index.js';
import { scheduleSchema } from '#src/schedule/index.js';

const GOOD = `
name: patch-night
workflow: kernel-patch
cron: "0 2 * * 3"
timezone: Asia/Shanghai
windowMinutes: 120`;

/** serve.yaml text with one schedule: GOOD with `line` replacing or adding a field. */
function oneSchedule(line: string): string {
  const key = line.split(':')[0];
  const fields = GOOD.trim()
    .split('\n')
    .filter((field) => !field.startsWith(`${key}:`));
  return `tokens: [{ role: viewer }]\nschedules:\n  - ${[...fields, line].join('\n    ')}\n`;
}

function refusal(text: string): InvalidInputError {
  try {
    parseScheduleSection('serve.yaml', text);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('the schedules section', () => {
  it('is read with defaults applied; the other keys are not checked', () => {
    const section = parseScheduleSection('serve.yaml', oneSchedule('blackout: [2026-12-16]'));
    expect(section.schedules).toEqual([
      {
        name: 'patch-night',
        workflow: 'kernel-patch',
        cron: '0 2 * * 3',
        timezone: 'Asia/Shanghai',
        windowMinutes: 120,
        blackout: ['2026-12-16'],
        missed: 'skip',
        carryOver: false,
        resumeUnfinished: false,
      },
    ]);
    expect(parseScheduleSection('serve.yaml', 'tokens: []\n').schedules).toEqual([]);
  });

  it.each([
    ['cron: "61 2 * * 3"', 'schedules[0].cron', 'a cron expression of five fields', '"61 2 * * 3"'],
    ['cron: "0 0 2 * * 3"', 'schedules[0].cron', 'exactly 5 parts', '"0 0 2 * * 3"'],
    ['cron: "0 0 30 2 *"', 'schedules[0].cron', 'never matches a day', '"0 0 30 2 *"'],
    ['timezone: Mars/Olympus', 'schedules[0].timezone', 'an IANA time zone', '"Mars/Olympus"'],
    ['timezone: "+08:00"', 'schedules[0].timezone', 'an IANA time zone', '"+08:00"'],
    ['windowMinutes: 0', 'schedules[0].windowMinutes', 'from 1 to 10080', '0'],
    ['windowMinutes: 1.5', 'schedules[0].windowMinutes', 'a whole number of minutes', '1.5'],
    ['windowMinutes: 10081', 'schedules[0].windowMinutes', 'from 1 to 10080', '10081'],
    [
      'blackout: [2026-02-30]',
      'schedules[0].blackout[0]',
      'a calendar date YYYY-MM-DD',
      '"2026-02-30"',
    ],
    [
      'blackout: [26-12-01]',
      'schedules[0].blackout[0]',
      'a calendar date YYYY-MM-DD',
      '"26-12-01"',
    ],
    [
      'blackout: [{ from: 2026-12-24, to: 2026-12-22 }]',
      'schedules[0].blackout[0].to',
      '`from` is not after its `to`',
      'a mapping with from, to',
    ],
    [
      'blackout: [{ from: 2026-12-24, until: 2026-12-26 }]',
      'schedules[0].blackout[0].until',
      'a known key (from, to, reason)',
      'unknown key "until"',
    ],
    ['missed: catchUp', 'schedules[0].missed', 'one of skip, runIfWithinWindow', '"catchUp"'],
    ['carryover: true', 'schedules[0].carryover', 'a known key', '(did you mean "carryOver"?)'],
    ['name: "two words"', 'schedules[0].name', 'a name of 1 to 64 letters', '"two words"'],
  ])('%s is refused at its path', (line, path, expected, found) => {
    const error = refusal(oneSchedule(line));
    expect(error.file).toBe('serve.yaml');
    expect(error.message).toMatch(/^serve\.yaml:\d+:\d+: schedules\[0\]/);
    // Every problem is listed; this one among them, with where it is.
    const issue = error.issues.find((candidate) => candidate.path === path);
    expect(issue, JSON.stringify(error.issues)).toBeDefined();
    expect(issue?.expected).toContain(expected);
    expect(issue?.found).toContain(found);
  });

  it('refuses a window longer than the gap to the next occurrence', () => {
    const error = refusal(oneSchedule('cron: "0 */4 * * *"').replace('120', '300'));
    expect(error.path).toBe('schedules[0].windowMinutes');
    expect(error.expected).toContain('at most 240 minute(s)');
    expect(error.found).toBe('300');
  });

  it('refuses two schedules of one name, and a schedules key that is no list', () => {
    const twice = `schedules:\n  - ${GOOD.trim().split('\n').join('\n    ')}\n  - ${GOOD.trim().split('\n').join('\n    ')}\n`;
    expect(refusal(twice)).toMatchObject({
      path: 'schedules[1].name',
      expected: 'a name no other schedule has',
    });
    expect(refusal('schedules: daily\n')).toMatchObject({
      path: 'schedules',
      expected: 'a list of schedules',
      found: '"daily"',
    });
  });

  it('has a JSON Schema for editors (for the serve.yaml schema to include)', () => {
    const schema = z.toJSONSchema(scheduleSchema, { io: 'input', target: 'draft-07' });
    expect(schema).toMatchObject({
      required: ['name', 'workflow', 'cron', 'timezone', 'windowMinutes'],
    });
  });
});
