/**
 * Poll a read-only condition on the run's clock until it holds or the time is up (the shared
 * loop of src/clock). A stop request ends the wait early with StopRequested (the step is then
 * not completed and `resume` repeats it); on timeout the last attempt's result says why.
 */
import { pollUntil as pollOnClock } from '../../clock/poll-until.js';
import type { RunContext } from '../execution/run-context.js';

export interface PollResult {
  done: boolean;
  detail: string;
}

export async function pollUntil(
  ctx: RunContext,
  timeoutSeconds: number,
  intervalSeconds: number,
  attempt: () => Promise<PollResult>,
): Promise<PollResult> {
  let last: PollResult | undefined;
  // The run's abort signal carries a StopRequested as its reason: the poll rejects with it.
  const done = await pollOnClock(
    ctx.ports.clock,
    {
      intervalMs: intervalSeconds * 1000,
      timeoutMs: timeoutSeconds * 1000,
      signal: ctx.control.signal,
    },
    async () => {
      last = await attempt();
      return last.done ? last : undefined;
    },
  );
  // The attempt runs at least once: `last` is the final attempt's result.
  return done ?? (last as PollResult);
}
