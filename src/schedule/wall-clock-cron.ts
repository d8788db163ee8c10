/**
 * A cron expression read on a wall clock: croner evaluates it in UTC, where no time is skipped
 * or repeated, so each result is a local wall time (its UTC fields are the local fields). Which
 * instant a wall time stands for in the schedule's zone is zone-time.ts's business; keeping the
 * two apart is what makes every local time that matches fire exactly once across DST.
 */
import { Cron } from 'croner';

const MINUTE_MS = 60_000;

/** Where the search for the shortest gap starts: any fixed day will do, this is a Monday. */
const GAP_SEARCH_START = Date.UTC(2001, 0, 1);
/** Four years: a leap day and every weekday on every date are in them. */
const GAP_SEARCH_END = Date.UTC(2005, 0, 1);
/** Enough consecutive times to see a frequent pattern's every gap (they repeat daily). */
const GAP_SAMPLE = 2_000;

export type WallClockCron = Cron;

/**
 * The expression as croner parses it (five fields, or a nickname like `@daily`), or the reason
 * it is refused. Never started: a Cron made without a function sets no timer.
 */
export function parseWallClockCron(expression: string): WallClockCron | string {
  let parsed = parsedExpressions.get(expression);
  if (parsed === undefined) {
    parsed = parse(expression);
    if (parsedExpressions.size >= MAX_REMEMBERED) parsedExpressions.clear();
    parsedExpressions.set(expression, parsed);
  }
  return parsed;
}

/** Expressions already parsed: every question about a schedule starts from its expression. */
const parsedExpressions = new Map<string, WallClockCron | string>();
const MAX_REMEMBERED = 1_000;

function parse(expression: string): WallClockCron | string {
  let cron: Cron;
  try {
    // A fixed offset of 0, not the zone `Etc/UTC`: the same wall times, without croner's
    // time-zone conversions on every step (about seventy times faster).
    cron = new Cron(expression, { utcOffset: 0, mode: '5-part' });
  } catch (error) {
    return error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
  }
  // croner also takes an ISO date as a run-once "pattern"; a schedule repeats.
  if (cron.getPattern() === undefined) return 'a date, not a repeating pattern';
  if (cron.nextRun(new Date(GAP_SEARCH_START)) === null)
    return 'a pattern that never matches a day';
  return cron;
}

/** The first wall time strictly after `wall` that the expression matches. */
export function nextWallTime(cron: WallClockCron, wall: Date): Date | undefined {
  return cron.nextRun(wall) ?? undefined;
}

/**
 * The shortest gap in minutes between two consecutive wall times of the expression. Looked for
 * over four years, or over their first GAP_SAMPLE times for a pattern that fires more often:
 * a guard against a window that is plainly too long, not the rule that keeps windows apart
 * (windowClosesAt is). Worked out once per expression.
 */
export function shortestGap(cron: WallClockCron): number {
  let shortest = shortestGaps.get(cron);
  if (shortest === undefined) {
    shortest = searchShortestGap(cron);
    shortestGaps.set(cron, shortest);
  }
  return shortest;
}

const shortestGaps = new WeakMap<WallClockCron, number>();

function searchShortestGap(cron: WallClockCron): number {
  let previous = nextWallTime(cron, new Date(GAP_SEARCH_START - MINUTE_MS));
  let shortest = Number.POSITIVE_INFINITY;
  for (let seen = 0; previous !== undefined && seen < GAP_SAMPLE; seen++) {
    const next = nextWallTime(cron, previous);
    if (next === undefined || next.getTime() >= GAP_SEARCH_END) break;
    shortest = Math.min(shortest, (next.getTime() - previous.getTime()) / MINUTE_MS);
    // Nothing is shorter than a minute: the answer cannot improve.
    if (shortest <= 1) break;
    previous = next;
  }
  return shortest;
}
