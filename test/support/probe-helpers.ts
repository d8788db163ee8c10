/**
 * Helpers for probe tests: collecting what a follower delivers, and stepping a ManualClock while
 * code under test does real file I/O between its sleeps.
 */
import type { FollowerEvent, FollowerSink } from '#src/probes/access-log/log-follower.js';
import type { ManualClock } from './manual-clock.js';

export function collectingSink() {
  const lines: string[] = [];
  const events: FollowerEvent[] = [];
  let dropped = 0;
  const sink: FollowerSink = {
    beginBatch: () => {},
    endBatch: () => {},
    onLine: (buf, start, end) => {
      lines.push(Buffer.from(buf.subarray(start, end)).toString('utf8'));
    },
    droppedPartial: () => {
      dropped++;
    },
    event: (event) => events.push(event),
  };
  return { sink, lines, events, dropped: () => dropped };
}

/** Resolves once the code under test is asleep on the clock, or `done` has settled. */
export async function untilAsleep(clock: ManualClock, done?: Promise<unknown>): Promise<void> {
  let settled = false;
  done?.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < 5000; i++) {
    if (clock.pendingSleeps > 0 || settled) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('the code under test never went to sleep on the clock');
}

/** Advance the clock `ms` in steps of `stepMs`, letting the code poll at every step. */
export async function advance(
  clock: ManualClock,
  ms: number,
  done?: Promise<unknown>,
  stepMs = 1000,
) {
  for (let left = ms; left > 0; left -= stepMs) {
    await untilAsleep(clock, done);
    await clock.advance(Math.min(stepMs, left));
  }
  await untilAsleep(clock, done);
}

export const combinedLine = (addr: string, path = '/', status = 200) =>
  `${addr} - - [21/Nov/2026:02:00:01 +0800] "GET ${path} HTTP/1.1" ${status} 12 "-" "curl/8.0"\n`;
