/**
 * Schedules across daylight-saving transitions: a local time the spring-forward gap skips runs
 * once, as many minutes after the gap as it was into it; a local time the fall-back transition
 * repeats runs once, on its first pass; whatever instant the next occurrence is asked from.
 */
import { describe, expect, it } from 'vitest';
import { nextOccurrences } from '#src/schedule/index.js';
import { at, schedule } from './schedules.js';

const MINUTE = 60_000;

/** The 2026 and 2027 transitions: the local day, and the UTC instant the clocks change. */
const SPRING = [
  { zone: 'Europe/Berlin', day: '2026-03-29', change: '2026-03-29T01:00:00Z' },
  { zone: 'Europe/Berlin', day: '2027-03-28', change: '2027-03-28T01:00:00Z' },
  { zone: 'America/New_York', day: '2026-03-08', change: '2026-03-08T07:00:00Z' },
  { zone: 'America/New_York', day: '2027-03-14', change: '2027-03-14T07:00:00Z' },
];
const FALL = [
  { zone: 'Europe/Berlin', day: '2026-10-25', change: '2026-10-25T01:00:00Z', time: '02:30' },
  { zone: 'Europe/Berlin', day: '2027-10-31', change: '2027-10-31T01:00:00Z', time: '02:30' },
  { zone: 'America/New_York', day: '2026-11-01', change: '2026-11-01T06:00:00Z', time: '01:30' },
  { zone: 'America/New_York', day: '2027-11-07', change: '2027-11-07T06:00:00Z', time: '01:30' },
];

function onDay<T extends { local: string }>(occurrences: T[], day: string): T[] {
  return occurrences.filter((occurrence) => occurrence.local.startsWith(day));
}

describe('spring forward: a skipped local time runs once, shifted by the gap', () => {
  it.each(SPRING)(
    '$zone on $day: 02:30 runs at 03:30 local, 30 minutes after the change',
    ({ zone, day, change }) => {
      const daily = schedule({ cron: '30 2 * * *', timezone: zone });
      const around = nextOccurrences(daily, new Date(at(change).getTime() - 3 * 86_400_000), 7);
      const that = onDay(around, day);
      expect(that).toHaveLength(1);
      expect(that[0]?.at.getTime()).toBe(at(change).getTime() + 30 * MINUTE);
      expect(that[0]?.local.slice(11, 19)).toBe('03:30:00');
      // The days around it keep 02:30.
      for (const other of around.filter((occurrence) => !occurrence.local.startsWith(day))) {
        expect(other.local.slice(11, 19)).toBe('02:30:00');
      }
    },
  );

  it.each(SPRING)(
    '$zone on $day: asked from any minute before it, the next one is the same',
    ({ zone, change }) => {
      const daily = schedule({ cron: '30 2 * * *', timezone: zone });
      const expected = at(change).getTime() + 30 * MINUTE;
      // From two hours before the change to a minute before the occurrence, in the shifted hour too.
      for (let t = at(change).getTime() - 120 * MINUTE; t < expected; t += 5 * MINUTE) {
        expect(
          nextOccurrences(daily, new Date(t), 1)[0]?.at.getTime(),
          new Date(t).toISOString(),
        ).toBe(expected);
      }
    },
  );

  it.each(SPRING)(
    '$zone on $day: every half hour, the skipped 02:00 and 02:30 add nothing',
    ({ zone, day, change }) => {
      const halfHourly = schedule({ cron: '*/30 * * * *', timezone: zone, windowMinutes: 30 });
      const times = nextOccurrences(
        halfHourly,
        new Date(at(change).getTime() - 61 * MINUTE),
        4,
      ).map((occurrence) => occurrence.local.slice(0, 16));
      expect(times).toEqual([`${day}T01:00`, `${day}T01:30`, `${day}T03:00`, `${day}T03:30`]);
    },
  );
});

describe('fall back: a repeated local time runs once, on its first pass', () => {
  it.each(FALL)(
    '$zone on $day: $time runs once, an hour before the change',
    ({ zone, day, change, time }) => {
      const [hour, minute] = time.split(':');
      const daily = schedule({ cron: `${minute} ${hour} * * *`, timezone: zone });
      const around = nextOccurrences(daily, new Date(at(change).getTime() - 3 * 86_400_000), 7);
      const that = onDay(around, day);
      expect(that).toHaveLength(1);
      expect(that[0]?.at.getTime()).toBe(at(change).getTime() - 30 * MINUTE);
      expect(that[0]?.local.slice(11, 16)).toBe(time);
    },
  );

  it.each(FALL)(
    '$zone on $day: asked from inside the repeated hour, the next one is tomorrow',
    ({ zone, change, time }) => {
      const [hour, minute] = time.split(':');
      const daily = schedule({ cron: `${minute} ${hour} * * *`, timezone: zone });
      const firstPass = at(change).getTime() - 30 * MINUTE;
      for (let t = firstPass; t < at(change).getTime() + 60 * MINUTE; t += 5 * MINUTE) {
        const [next] = nextOccurrences(daily, new Date(t), 1);
        expect(next?.at.getTime(), new Date(t).toISOString()).toBeGreaterThan(t);
        expect(next?.at.getTime()).toBe(firstPass + 86_400_000 + 60 * MINUTE);
      }
    },
  );

  it.each(FALL)(
    '$zone on $day: every 20 minutes, the repeated hour runs once',
    ({ zone, change }) => {
      const every20 = schedule({ cron: '*/20 * * * *', timezone: zone, windowMinutes: 20 });
      const start = at(change).getTime() - 61 * MINUTE;
      const times = nextOccurrences(every20, new Date(start), 6).map((o) => o.at.getTime());
      // Three on the first pass of the repeated hour, none on the second, then on.
      expect(times.map((t) => (t - at(change).getTime()) / MINUTE)).toEqual([
        -60, -40, -20, 60, 80, 100,
      ]);
    },
  );
});

describe('a zone without DST', () => {
  it('Asia/Shanghai: Wednesdays 02:00 are 18:00 UTC on Tuesdays, all year', () => {
    const weekly = schedule({ cron: '0 2 * * 3', timezone: 'Asia/Shanghai' });
    const year = nextOccurrences(weekly, at('2026-01-01T00:00:00Z'), 53);
    expect(year).toHaveLength(53);
    for (const occurrence of year) {
      expect(occurrence.local).toMatch(/T02:00:00\+08:00$/);
      expect(occurrence.utc).toMatch(/T18:00:00\.000Z$/);
      expect(occurrence.at.getUTCDay()).toBe(2);
    }
    expect(year[0]?.local).toBe('2026-01-07T02:00:00+08:00');
  });
});
