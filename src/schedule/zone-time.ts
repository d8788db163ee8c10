/**
 * Wall-clock time in an IANA time zone, through croner's zone arithmetic: which zones exist, the
 * instant a local wall time stands for, and how an instant reads locally. Pure: Intl (inside
 * croner) is the only source of zone rules; no clock is read.
 */
import { CronDate } from 'croner';

const MINUTE_MS = 60_000;

/** True when the zone is one the runtime's time-zone database knows (`Asia/Shanghai`, `UTC`). */
export function isKnownZone(zone: string): boolean {
  if (zone.trim() !== zone || zone === '') return false;
  try {
    new CronDate(new Date(0), zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant a local wall time (given as a Date whose UTC fields are the local fields) stands
 * for in `zone`. croner decides the two ambiguous cases: a time skipped by a spring-forward
 * transition is read with the offset in force before it (02:30 in a gap from 02:00 to 03:00 is
 * 03:30 after it), and a time repeated by a fall-back transition is its first pass.
 */
export function instantOfWallTime(wall: Date, zone: string): Date {
  const key = `${zone} ${wall.getTime()}`;
  let instant = instants.get(key);
  if (instant === undefined) {
    instant = new CronDate(wall.toISOString().slice(0, 19), zone).getDate().getTime();
    if (instants.size >= MAX_REMEMBERED) instants.clear();
    instants.set(key, instant);
  }
  return new Date(instant);
}

/**
 * Wall times already converted. A scheduler asks about the same few wall times on every tick,
 * and croner's conversion costs a third of a millisecond; the answer never changes.
 */
const instants = new Map<string, number>();
const MAX_REMEMBERED = 20_000;

export interface LocalTime {
  /** `2026-03-29T03:30:00+02:00`: the local time with the zone's offset at that instant. */
  iso: string;
  /** `2026-03-29`: the local calendar date. */
  date: string;
}

/** How an instant reads on a wall clock in `zone` (whole seconds; milliseconds dropped). */
export function localTimeOf(instant: Date, zone: string): LocalTime {
  const offsetMinutes = Math.round(offsetMsAt(instant, zone) / MINUTE_MS);
  const wall = wallTimeOf(instant, zone).toISOString().slice(0, 19);
  return { iso: `${wall}${formatOffset(offsetMinutes)}`, date: wall.slice(0, 10) };
}

/** The local wall time at `instant` in `zone`, as a Date whose UTC fields are the local ones. */
export function wallTimeOf(instant: Date, zone: string): Date {
  const local = new CronDate(instant, zone);
  return new Date(
    Date.UTC(local.year, local.month, local.day, local.hour, local.minute, local.second),
  );
}

/** The zone's offset from UTC at `instant`, in milliseconds (east positive). */
export function offsetMsAt(instant: Date, zone: string): number {
  const whole = instant.getTime() - (instant.getTime() % 1000);
  return wallTimeOf(instant, zone).getTime() - whole;
}

/** `+08:00`, `-04:00`, `+05:45`; `+00:00` for UTC (not `Z`: the field is always an offset). */
function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const absolute = Math.abs(minutes);
  const hours = String(Math.floor(absolute / 60)).padStart(2, '0');
  return `${sign}${hours}:${String(absolute % 60).padStart(2, '0')}`;
}

/** True for `YYYY-MM-DD` naming a day that exists (no 2026-02-30). */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

/** The calendar day after `date` (`YYYY-MM-DD`). */
export function nextCalendarDate(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}
