/**
 * Poll a read-only condition on the run's clock until it holds or the time is up. A stop
 * request ends the wait early (the step is then not completed and `resume` repeats it).
 */
import type { RunContext } from '../run-context.js';
import { StopRequested } from '../run-control.js';

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
  const { clock } = ctx.ports;
  const deadline = clock.monotonic() + timeoutSeconds * 1000;
  for (;;) {
    const result = await attempt();
    if (result.done || clock.monotonic() + intervalSeconds * 1000 > deadline) return result;
    await clock.sleep(intervalSeconds * 1000, ctx.control.signal).catch((error: unknown) => {
      throw ctx.control.abortRequested ? new StopRequested(ctx.control.reason ?? 'stop') : error;
    });
  }
}
