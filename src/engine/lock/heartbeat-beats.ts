/**
 * The beat loop both balancer locks share (the lock file and the PostgreSQL lease): renew every
 * `intervalMs` on real time. A lost lock (`LockLostError`) stops the beats and is told once. A
 * beat that fails otherwise does not stop them — the lock still holds, and the next beat renews
 * it once the disk or the database takes writes again: `onBeatFailed` is told when beats start
 * failing, and `onBeatFailed(undefined)` when one succeeds again.
 */
import { LockLostError } from '../engine-errors.js';

export interface BeatsOptions {
  beat: () => Promise<void>;
  intervalMs: number;
  onLost: (error: Error) => void;
  onBeatFailed: (error: Error | undefined) => void;
  /** Stops the beats (clears the timer this returns). */
  stop: () => void;
  /** After a failed beat: an error to stop on as if the lock were lost, else undefined. */
  lostAfterFailedBeat?: () => Error | undefined;
}

export function startBeats(options: BeatsOptions): NodeJS.Timeout {
  let failing = false;
  const timer = setInterval(() => {
    options.beat().then(
      () => {
        if (failing) options.onBeatFailed(undefined);
        failing = false;
      },
      (error: Error) => {
        if (error instanceof LockLostError) {
          options.stop();
          options.onLost(error);
          return;
        }
        if (!failing) {
          failing = true;
          options.onBeatFailed(error);
        }
        const lost = options.lostAfterFailedBeat?.();
        if (lost !== undefined) {
          options.stop();
          options.onLost(lost);
        }
      },
    );
  }, options.intervalMs);
  timer.unref();
  return timer;
}
