/**
 * Where requests to stop come from while a run executes: the process's signal (SIGINT/SIGTERM
 * through the CLI, or the API caller's AbortSignal) and `drainctl abort`, which leaves a request
 * file in the run's directory (or, with shared storage, a row in the database, since the run may
 * execute on another machine) that is polled here. Each is journaled once as `abort-requested`,
 * then the run stops safely.
 */
import type { AbortRequests } from '../../ports/index.js';
import { message } from '../engine-errors.js';
import type { RunContext } from '../execution/run-context.js';
import { abortedBy } from '../execution/run-control.js';
import { takeAbortRequest } from './run-dir.js';

export const ABORT_POLL_MS = 1_000;

export interface StopRequestWatch {
  /** Act on a signal that was already aborted before the run started. */
  checkNow(): void;
  dispose(): void;
}

/** A signal as the source of an abort: `SIGTERM` (the CLI's signals), else the caller's reason. */
function signalSource(reason: unknown): string {
  const text = message(reason);
  return /^received (SIG[A-Z]+)$/.exec(text)?.[1] ?? `the caller's stop signal (${text})`;
}

export function watchStopRequests(
  ctx: RunContext,
  options: {
    home: string;
    signal?: AbortSignal;
    pollMs?: number;
    /** Shared storage's requests: looked at instead of the request file. */
    abortRequests?: AbortRequests;
  },
): StopRequestWatch {
  const runId = ctx.state.runId;
  const request = (source: string) => {
    if (ctx.control.abortRequested) return;
    ctx
      .record({ type: 'abort-requested', source })
      .then(() => ctx.stop('abort', abortedBy(source)))
      .catch((error: unknown) =>
        ctx.logger.error({ err: error }, 'could not journal the abort request'),
      );
  };
  const fileRequest = (): string | undefined => {
    try {
      const found = takeAbortRequest(options.home, runId);
      return found === undefined ? undefined : `drainctl abort (${found.by})`;
    } catch (error) {
      ctx.logger.warn({ err: error }, `could not answer the abort request file: ${message(error)}`);
      return undefined;
    }
  };
  const shared = options.abortRequests;
  const sharedRequest = async (): Promise<string | undefined> => {
    if (shared === undefined) return undefined;
    try {
      const found = await shared.take(runId);
      return found === undefined ? undefined : `drainctl abort (${found.by})`;
    } catch (error) {
      ctx.logger.warn({ err: error }, `could not answer the abort request: ${message(error)}`);
      return undefined;
    }
  };
  // `drainctl abort` writes its request, then sends SIGTERM: the signal is answered as that
  // abort, so the run says who stopped it rather than only which signal arrived.
  const onSignal = () => {
    const fromSignal = () => signalSource(options.signal?.reason);
    if (shared === undefined) request(fileRequest() ?? fromSignal());
    else void sharedRequest().then((source) => request(source ?? fromSignal()));
  };
  options.signal?.addEventListener('abort', onSignal, { once: true });
  let looking = false;
  const poll = setInterval(() => {
    if (shared === undefined) {
      const source = fileRequest();
      if (source !== undefined) request(source);
      return;
    }
    if (looking) return;
    looking = true;
    void sharedRequest()
      .then((source) => {
        if (source !== undefined) request(source);
      })
      .finally(() => {
        looking = false;
      });
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
