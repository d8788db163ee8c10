/**
 * What fires when: on time, late after the server was down (`missed`), once per occurrence, never
 * after its window closes; windows that never overlap; blackout days; carry-over order.
 */
import { describe, expect, it } from 'vitest';
import {
  blackoutOf,
  carryOverOrder,
  dueOccurrence,
  isWithinWindow,
  nextOccurrences,
  windowClosesAt,
} from '#src/schedule/index.js';
import { at, schedule } from './schedules.js';

// Wednesdays 02:00 in Shanghai: 2026-12-08T18:00Z; window 120 minutes.
const OCCURRENCE = at('2026-12-08T18:00:00Z');
const plusMinutes = (date: Date, minutes: number) => new Date(date.getTime() + minutes * 60_000);

describe('dueOccurrence', () => {
  const skip = schedule();
  const catchUp = schedule({ missed: 'runIfWithinWindow' });

  it('fires an occurrence on time, within a minute of it, either way', () => {
    for (const s of [skip, catchUp]) {
      expect(dueOccurrence(s, { now: OCCURRENCE })).toMatchObject({
        occurrence: { at: OCCURRENCE, local: '2026-12-09T02:00:00+08:00' },
        late: false,
      });
      expect(dueOccurrence(s, { now: plusMinutes(OCCURRENCE, 1) })?.late).toBe(false);
    }
  });

  it('fires nothing before the occurrence', () => {
    expect(dueOccurrence(catchUp, { now: plusMinutes(OCCURRENCE, -1) })).toBeUndefined();
  });

  it('missed: skip never fires a past occurrence', () => {
    for (const minutes of [1.5, 30, 119]) {
      expect(dueOccurrence(skip, { now: plusMinutes(OCCURRENCE, minutes) })).toBeUndefined();
    }
  });

  it('missed: runIfWithinWindow fires the latest missed one late, while its window is open', () => {
    const due = dueOccurrence(catchUp, {
      now: plusMinutes(OCCURRENCE, 90),
      lastFired: at('2026-11-24T18:00:00Z'), // down for a week: the one of 2 December is lost
    });
    expect(due).toMatchObject({ occurrence: { at: OCCURRENCE }, late: true });
    expect(dueOccurrence(catchUp, { now: plusMinutes(OCCURRENCE, 120) })).toBeUndefined();
  });

  it('fires each occurrence once: not again once lastFired is it', () => {
    expect(
      dueOccurrence(catchUp, { now: plusMinutes(OCCURRENCE, 5), lastFired: OCCURRENCE }),
    ).toBeUndefined();
  });

  it('hands a blacked-out occurrence over marked, for the caller to skip and report', () => {
    const s = schedule({ blackout: [{ from: '2026-12-09', to: '2026-12-09', reason: 'sale' }] });
    expect(dueOccurrence(s, { now: OCCURRENCE })?.occurrence.blackout).toBe(
      'sale (blackout 2026-12-09)',
    );
  });
});

describe('nextOccurrences', () => {
  it('gives as many as asked for, none for zero', () => {
    expect(nextOccurrences(schedule(), OCCURRENCE, 3).map((o) => o.local)).toEqual([
      '2026-12-16T02:00:00+08:00',
      '2026-12-23T02:00:00+08:00',
      '2026-12-30T02:00:00+08:00',
    ]);
    expect(nextOccurrences(schedule(), OCCURRENCE, 0)).toEqual([]);
  });
});

describe('windows', () => {
  it('close windowMinutes after the occurrence; open from it, closed from then on', () => {
    const s = schedule();
    const occurrence = { at: OCCURRENCE };
    expect(windowClosesAt(s, occurrence)).toEqual(plusMinutes(OCCURRENCE, 120));
    expect(isWithinWindow(s, occurrence, plusMinutes(OCCURRENCE, -1))).toBe(false);
    expect(isWithinWindow(s, occurrence, OCCURRENCE)).toBe(true);
    expect(isWithinWindow(s, occurrence, plusMinutes(OCCURRENCE, 119.99))).toBe(true);
    expect(isWithinWindow(s, occurrence, plusMinutes(OCCURRENCE, 120))).toBe(false);
  });

  it('close at the next occurrence on a day DST shortens to 23 hours', () => {
    // 02:30 Berlin on 29 March 2026 runs at 03:30 (01:30Z); the next is 02:30 on the 30th (00:30Z).
    const s = schedule({ cron: '30 2 * * *', timezone: 'Europe/Berlin', windowMinutes: 1440 });
    expect(windowClosesAt(s, { at: at('2026-03-29T01:30:00Z') })).toEqual(
      at('2026-03-30T00:30:00Z'),
    );
  });
});

describe('blackout', () => {
  const s = schedule({
    blackout: [
      '2026-12-16',
      { from: '2026-12-22', to: '2026-12-24' },
      { from: '2026-12-30', to: '2027-01-01', reason: 'freeze' },
    ],
  });

  it('names the date, the range, or the reason with the range', () => {
    expect(blackoutOf(s, '2026-12-16')).toBe('blackout 2026-12-16');
    expect(blackoutOf(s, '2026-12-23')).toBe('blackout 2026-12-22 to 2026-12-24');
    expect(blackoutOf(s, '2027-01-01')).toBe('freeze (blackout 2026-12-30 to 2027-01-01)');
    expect(blackoutOf(s, '2026-12-21')).toBeUndefined();
    expect(blackoutOf(s, '2027-01-02')).toBeUndefined();
  });

  it("marks the occurrences on those days in the schedule's zone, not in UTC", () => {
    // Wednesday 02:00 in Shanghai is Tuesday 18:00 UTC: the local date is the one that counts.
    const marked = nextOccurrences(s, at('2026-12-01T00:00:00Z'), 6).map((o) => [
      o.local.slice(0, 10),
      o.blackout,
    ]);
    expect(marked).toEqual([
      ['2026-12-02', undefined],
      ['2026-12-09', undefined],
      ['2026-12-16', 'blackout 2026-12-16'],
      ['2026-12-23', 'blackout 2026-12-22 to 2026-12-24'],
      ['2026-12-30', 'freeze (blackout 2026-12-30 to 2027-01-01)'],
      ['2027-01-06', undefined],
    ]);
  });

  it('marks an occurrence whose window reaches into a blackout day', () => {
    // 23:00 on the 15th with a three-hour window ends on the blacked-out 16th.
    const late = schedule({ cron: '0 23 * * 2', windowMinutes: 180, blackout: ['2026-12-16'] });
    const [occurrence] = nextOccurrences(late, at('2026-12-15T00:00:00Z'), 1);
    expect(occurrence?.local).toBe('2026-12-15T23:00:00+08:00');
    expect(occurrence?.blackout).toBe('blackout 2026-12-16');
  });
});

describe('carryOverOrder', () => {
  it('puts the nodes not reached first, each group in plan order', () => {
    expect(carryOverOrder(['a', 'b', 'c', 'd', 'e'], ['e', 'c'])).toEqual([
      'c',
      'e',
      'a',
      'b',
      'd',
    ]);
  });

  it('drops nodes no longer in the plan and keeps the plan as it is with none to carry', () => {
    expect(carryOverOrder(['a', 'b'], ['gone', 'b'])).toEqual(['b', 'a']);
    expect(carryOverOrder(['a', 'b'], [])).toEqual(['a', 'b']);
  });
});
