/**
 * A clock that runs `factor` times as fast while anything waits on it, and at the wall's pace
 * otherwise: every sleep lasts 1/factor of what was asked, and wall and monotonic time advance
 * `factor` milliseconds per real one while at least one sleep is in progress. A rehearsal hands
 * it to drainctl alone, so quiet periods, holds, TTL waits and timeouts of a two-hour night pass
 * in minutes, while a call nobody waits beside (taking the lock: a tag write measured against a
 * one-second bound) is timed as it really went. The emulated world keeps real time.
 */
import type { Clock } from '../../ports/index.js';
import { systemClock } from './system-clock.js';

export function compressedClock(factor: number, base: Clock = systemClock): Clock {
  if (!(factor >= 1)) throw new RangeError(`a time compression factor is 1 or more, not ${factor}`);
  const startMonotonic = base.monotonic();
  const startWall = base.now();
  let lastReal = startMonotonic;
  let elapsed = 0;
  let sleeping = 0;
  const advance = () => {
    const real = base.monotonic();
    elapsed += (real - lastReal) * (sleeping > 0 ? factor : 1);
    lastReal = real;
    return elapsed;
  };
  return {
    now: () => startWall + Math.round(advance()),
    monotonic: () => startMonotonic + advance(),
    async sleep(ms, signal) {
      advance();
      sleeping += 1;
      try {
        await base.sleep(ms / factor, signal);
      } finally {
        advance();
        sleeping -= 1;
      }
    },
  };
}
