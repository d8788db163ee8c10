/**
 * Where requests to stop come from while a run executes: the process's signal (SIGINT/SIGTERM
 * through the CLI, or the API caller's AbortSignal) and `drainctl abort`, which leaves a request
 * file in the run's directory that is polled here. Each is journaled once as `abort-requested`,
 * then the run stops safely.
 */
import { rename } from 'node:fs/promises';
import { message } from './errors.js';
import type { RunContext } from './run-context.js';
import { abortRequestPath, readAbortRequest } from './run-dir.js';

export const ABORT_POLL_MS = 1_000;

export interface StopRequestWatch {
  /** Act on a signal that was already aborted before the run started. */
  checkNow(): void;
  dispose(): void;
}

export function watchStopRequests(
  ctx: RunContext,
  options: { home: string; signal?: AbortSignal; pollMs?: number },
): StopRequestWatch {
  const runId = ctx.state.runId;
  const request = (source: string) => {
    if (ctx.control.abortRequested) return;
    ctx
      .record({ type: 'abort-requested', source })
      .then(() => ctx.stop('abort', `aborted (${source})`))
      .catch((error: unknown) =>
        ctx.logger.error({ err: error }, 'could not journal the abort request'),
      );
  };
  const onSignal = () => request(`signal: ${message(options.signal?.reason)}`);
  options.signal?.addEventListener('abort', onSignal, { once: true });
  const poll = setInterval(() => {
    readAbortRequest(options.home, runId)
      .then(async (found) => {
        if (found === undefined) return;
        // Answered once: a later resume must not find it and stop again.
        await rename(
          abortRequestPath(options.home, runId),
          `${abortRequestPath(options.home, runId)}.handled`,
        );
        request(`drainctl abort by ${found.by}`);
      })
      .catch(() => undefined);
  }, options.pollMs ?? ABORT_POLL_MS);
  poll.unref();
  return {
    checkNow() {
      if (options.signal?.aborted) onSignal();
    },
    dispose() {
      clearInterval(poll);
      options.signal?.removeEventListener('abort', onSignal);
    },
  };
}
