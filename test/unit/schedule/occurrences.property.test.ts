/**
 * Properties of occurrences over random schedules and instants in 2026-2027: strictly
 * increasing, independent of the instant they are asked from, blackouts marked, and each
 * occurrence fired exactly once by a scheduler that ticks (and is sometimes down).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blackoutOf,
  dueOccurrence,
  nextOccurrences,
  ON_TIME_MS,
  type Schedule,
  windowClosesAt,
} from '#src/schedule/index.js';
import { schedule } from './schedules.js';

const MINUTE = 60_000;
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Shanghai'];
// Around the transitions as often as away from them.
const TRANSITIONS = [
  '2026-03-08T07:00:00Z',
  '2026-03-29T01:00:00Z',
  '2026-10-25T01:00:00Z',
  '2026-11-01T06:00:00Z',
  '2027-03-14T07:00:00Z',
  '2027-03-28T01:00:00Z',
  '2027-10-31T01:00:00Z',
  '2027-11-07T06:00:00Z',
].map((iso) => new Date(iso).getTime());

const instant = fc.oneof(
  fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }),
  fc
    .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -26 * 60, max: 26 * 60 }))
    .map(([transition, minutes]) => transition + minutes * MINUTE),
);

const cronAndWindow = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 23 }))
    .map(([m, h]) => ({ cron: `${m} ${h} * * *`, windowMinutes: 240 })),
  fc
    .tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 6 }))
    .map(([m, d]) => ({ cron: `${m} 1-3 * * ${d}`, windowMinutes: 60 })),
  fc.constantFrom(
    { cron: '*/30 * * * *', windowMinutes: 30 },
    { cron: '15 * * * *', windowMinutes: 45 },
    { cron: '0 2 * * 3', windowMinutes: 180 },
  ),
);

const days = fc.array(
  fc
    .integer({ min: 0, max: 729 })
    .map((n) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10)),
  { maxLength: 30 },
);

const aSchedule = fc
  .tuple(fc.constantFrom(...ZONES), cronAndWindow, days)
  .map(([timezone, { cron, windowMinutes }, blackout]) =>
    schedule({ timezone, cron, windowMinutes, blackout }),
  );

describe('occurrences', () => {
  it('are strictly increasing and all after the instant asked from', () => {
    fc.assert(
      fc.property(aSchedule, instant, (s, after) => {
        const times = nextOccurrences(s, new Date(after), 6).map((o) => o.at.getTime());
        expect(times).toHaveLength(6);
        expect(times[0]).toBeGreaterThan(after);
        for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] ?? 0);
      }),
      { numRuns: 60 },
    );
  });

  it('do not depend on the instant asked from: asked from inside, the rest is the same', () => {
    fc.assert(
      fc.property(aSchedule, instant, fc.double({ min: 0, max: 1, noNaN: true }), (s, after, f) => {
        const [first, second, ...rest] = nextOccurrences(s, new Date(after), 5);
        if (first === undefined || second === undefined) throw new Error('no occurrences');
        // An instant between the first two: the rest follows from it unchanged.
        const between =
          first.at.getTime() + Math.floor(f * (second.at.getTime() - first.at.getTime() - 1));
        expect(nextOccurrences(s, new Date(between), 4)).toEqual([second, ...rest]);
      }),
      { numRuns: 60 },
    );
  });

  it('are marked blacked out exactly when a day their window touches is a blackout day', () => {
    fc.assert(
      fc.property(aSchedule, instant, (s, after) => {
        for (const occurrence of nextOccurrences(s, new Date(after), 6)) {
          const lastStart = new Date(windowClosesAt(s, occurrence).getTime() - 1);
          const touched = daysBetween(localDate(s, occurrence.at), localDate(s, lastStart));
          const hit = touched.find((day) => blackoutOf(s, day) !== undefined);
          expect(occurrence.blackout).toBe(hit === undefined ? undefined : blackoutOf(s, hit));
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('a scheduler ticking with dueOccurrence', () => {
  const timeline = fc.array(
    fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 1, max: 59 }).map((s) => s * 1000) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 36 * 60 }).map((m) => m * MINUTE) },
    ),
    { minLength: 20, maxLength: 150 },
  );

  it('fires each occurrence at most once, inside its window, late only if missed says so', () => {
    fc.assert(
      fc.property(
        aSchedule,
        fc.constantFrom('skip' as const, 'runIfWithinWindow' as const),
        instant,
        timeline,
        (base, missed, start, steps) => {
          const s: Schedule = { ...base, missed };
          let now = start;
          let lastFired: Date | undefined;
          const fired: number[] = [];
          for (const step of steps) {
            now += step;
            const due = dueOccurrence(s, {
              now: new Date(now),
              ...(lastFired ? { lastFired } : {}),
            });
            if (due === undefined) continue;
            const atMs = due.occurrence.at.getTime();
            expect(atMs).toBeLessThanOrEqual(now);
            expect(now).toBeLessThan(windowClosesAt(s, due.occurrence).getTime());
            expect(due.late).toBe(now - atMs > ON_TIME_MS);
            if (missed === 'skip') expect(due.late).toBe(false);
            fired.push(atMs);
            lastFired = due.occurrence.at;
          }
          expect(new Set(fired).size).toBe(fired.length);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('ticking every 30 seconds around a transition, fires every occurrence once, on time', () => {
    fc.assert(
      fc.property(aSchedule, fc.constantFrom(...TRANSITIONS), (s, transition) => {
        const from = transition - 2 * 60 * MINUTE;
        const to = transition + 2 * 60 * MINUTE;
        // The first tick may fire an occurrence up to ON_TIME_MS before it; the last tick is `to`.
        const expected = nextOccurrences(s, new Date(from - ON_TIME_MS - 1), 100)
          .map((o) => o.at.getTime())
          .filter((t) => t <= to);
        let lastFired: Date | undefined;
        const fired: number[] = [];
        for (let now = from; now <= to; now += 30_000) {
          const due = dueOccurrence(s, { now: new Date(now), ...(lastFired ? { lastFired } : {}) });
          if (due === undefined) continue;
          expect(due.late).toBe(false);
          fired.push(due.occurrence.at.getTime());
          lastFired = due.occurrence.at;
        }
        expect(fired).toEqual(expected);
      }),
      { numRuns: 8 },
    );
  });
});

function localDate(s: Schedule, instantAt: Date): string {
  // en-CA formats dates as YYYY-MM-DD: an independent reading of the zone, not croner's.
  return new Intl.DateTimeFormat('en-CA', { timeZone: s.timezone }).format(instantAt);
}

function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let day = new Date(`${first}T00:00:00Z`); day.toISOString().slice(0, 10) <= last; ) {
    days.push(day.toISOString().slice(0, 10));
    day = new Date(day.getTime() + 86_400_000);
  }
  return days;
}
