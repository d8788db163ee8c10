/**
 * TEST ONLY. `DRAINCTL_TEST_SCHEDULER_NOW=<ISO instant>` starts the scheduler's wall clock of
 * `drainctl serve` at that instant, running on in real time from there, so an end-to-end test
 * can have a real server's schedule fall due a few seconds after it starts. Only the scheduler
 * sees it: runs, journals, locks and notification signatures keep the real time. Never set it
 * for a real server: its nights would fire at the wrong hour.
 */
import { InvalidInputError } from '../../errors/index.js';
import type { Clock } from '../../ports/index.js';

export const SCHEDULER_NOW_ENV = 'DRAINCTL_TEST_SCHEDULER_NOW';

/** The offset clock the variable asks for; undefined when it is not set. */
export function schedulerClockFromEnv(env: NodeJS.ProcessEnv, real: Clock): Clock | undefined {
  const raw = env[SCHEDULER_NOW_ENV];
  if (raw === undefined || raw.trim() === '') return undefined;
  const start = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(start)) {
    throw new InvalidInputError(`${SCHEDULER_NOW_ENV} must be an ISO instant, found "${raw}"`, {
      path: SCHEDULER_NOW_ENV,
      expected: 'an ISO 8601 instant like 2027-03-02T17:59:57Z',
      found: raw,
    });
  }
  const offset = start - real.now();
  return {
    now: () => real.now() + offset,
    monotonic: () => real.monotonic(),
    sleep: (ms, signal) => real.sleep(ms, signal),
  };
}
