/**
 * A clock that runs `factor` times as fast as the one under it: every sleep lasts 1/factor of
 * what was asked, and wall and monotonic time advance `factor` milliseconds per real one. A
 * rehearsal hands it to drainctl alone, so quiet periods, holds, TTL waits and timeouts of a
 * two-hour night pass in minutes, while the emulated world (boots, health checks, clients) keeps
 * real time: to drainctl that world looks `factor` times slower than it is.
 */
import type { Clock } from '../../ports/index.js';
import { systemClock } from './system-clock.js';

export function compressedClock(factor: number, base: Clock = systemClock): Clock {
  if (!(factor >= 1)) throw new RangeError(`a time compression factor is 1 or more, not ${factor}`);
  const startMonotonic = base.monotonic();
  const startWall = base.now();
  const elapsed = () => (base.monotonic() - startMonotonic) * factor;
  return {
    now: () => startWall + Math.round(elapsed()),
    monotonic: () => startMonotonic + elapsed(),
    sleep: (ms, signal) => base.sleep(ms / factor, signal),
  };
}
