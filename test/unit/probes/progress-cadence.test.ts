/**
 * `drainctl watch` progress comes at regular intervals: the drain wait ticks on a fixed grid
 * however long each poll takes, and the cadence shows one line per PROGRESS_EVERY_SECONDS of
 * that grid (plus one when traffic starts or stops) — on a clock the test controls.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '#src/ports/index.js';
import {
  type DrainSource,
  newDrainMemory,
  waitForDrain,
} from '#src/probes/access-log/drain-wait.js';
import { TrafficTally } from '#src/probes/access-log/traffic-tally.js';
import { ProgressCadence } from '#src/probes/progress-cadence.js';

/** Time moves only when the code sleeps, or when a poll takes `pollMs`. */
class SteppingClock implements Clock {
  monotonicMs = 0;
  now(): number {
    return Date.parse('2026-11-21T02:00:00Z') + this.monotonicMs;
  }
  monotonic(): number {
    return this.monotonicMs;
  }
  async sleep(ms: number): Promise<void> {
    this.monotonicMs += ms;
  }
}

/** A log that takes `pollMs` to read and shows a real request at each second in `realAt`. */
function slowLog(clock: SteppingClock, pollMs: number, realAt: readonly number[]): DrainSource {
  const tally = new TrafficTally();
  const pending = [...realAt];
  return {
    clock,
    tally,
    tickMs: 1000,
    memory: newDrainMemory(),
    available: () => true,
    availableSince: () => 0,
    lastRequest: () => undefined,
    poll: async () => {
      clock.monotonicMs += pollMs;
      tally.stamp(clock.monotonic(), clock.now());
      while (pending.length > 0 && (pending[0] ?? 0) * 1000 <= clock.monotonic()) {
        pending.shift();
        tally.countReal(200);
      }
    },
  };
}

async function printedAt(pollMs: number, realAt: readonly number[]): Promise<number[]> {
  const clock = new SteppingClock();
  const cadence = new ProgressCadence(5);
  const printed: number[] = [];
  await waitForDrain(slowLog(clock, pollMs, realAt), {
    quietSeconds: 20,
    timeoutSeconds: 40,
    onProgress: (progress) => {
      if (cadence.due(progress)) printed.push(progress.elapsedSeconds);
    },
  });
  return printed;
}

describe('watch progress cadence', () => {
  it('one line every 5 s of the wait, however long each read of the log takes', async () => {
    // Each read takes 0.13 s; without traffic the wait ends after 20 s quiet.
    expect(await printedAt(130, [])).toEqual([0.1, 5.1, 10.1, 15.1, 20.1]);
  });

  it('traffic starting and stopping adds a line each, without shifting the 5 s grid', async () => {
    expect(await printedAt(130, [1.5, 2.5])).toEqual([
      0.1,
      2.1, // traffic starts: the request of 1.5 s is read on the 2 s tick
      5.1,
      8.1, // traffic stopped: 5 s since the last request was read (3.1 s)
      10.1,
      15.1,
      20.1,
    ]);
  });

  it('a burst of lines never comes from requests trickling in', () => {
    const cadence = new ProgressCadence(5);
    const due: number[] = [];
    // A request every 3 s: traffic starts once and never stops.
    for (let second = 0; second <= 30; second++) {
      const progress = {
        elapsedSeconds: second,
        realRequests: Math.floor(second / 3),
        quietSeconds: second % 3,
      };
      if (cadence.due(progress)) due.push(second);
    }
    expect(due).toEqual([0, 3, 5, 10, 15, 20, 25, 30]);
  });
});
