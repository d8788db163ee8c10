/**
 * Cloud calls being retried, made visible while it lasts. During a throttling storm a step can
 * spend minutes in the retry policy, and the run would otherwise say only "draining". Each retry
 * the adapters report (CloudRetryFeed) is attributed to the step — or node — that made the call
 * (step-scope.ts), and becomes a `note` in the journal and a warning on stderr: once the call has
 * been failing for RETRY_NOTE_AFTER_MS (a single throttled request is routine), then at most one
 * per step every RETRY_NOTE_EVERY_MS, so a storm cannot flood the journal; and one more when the
 * call goes through. `drainctl status`, another process, shows the latest for each step still
 * in progress.
 */
import type { CloudRetryEvent } from '../../ports/index.js';
import { message } from '../engine-errors.js';
import type { RunContext } from './run-context.js';
import { currentScope, type StepScope } from './step-scope.js';

export const RETRY_NOTE_AFTER_MS = 5_000;
export const RETRY_NOTE_EVERY_MS = 30_000;

/** Start journaling the run's cloud retries; returns the function that stops it. */
export function journalCloudRetries(ctx: RunContext): () => void {
  const feed = ctx.ports.cloudRetries;
  if (feed === undefined) return () => undefined;
  const lastNoteAt = new Map<string, number>();
  /** The action a step's latest retry note is about, until the call goes through. */
  const open = new Map<string, string>();
  let listening = true;

  const write = (scope: StepScope | undefined, event: CloudRetryEvent, text: string) => {
    const node = scope?.node;
    const label = node === undefined ? '' : `${ctx.state.nodes.get(node)?.name ?? node} (${node}) `;
    const where = scope?.step === undefined ? '' : `step ${scope.step.index}: `;
    ctx.logger.warn(
      {
        node,
        step: scope?.step?.id,
        action: event.action,
        code: event.code,
        attempts: event.attempts,
      },
      `${label}${where}${text}`,
    );
    const since = new Date(ctx.ports.clock.now() - event.elapsedMs).toISOString();
    ctx
      .record({
        type: 'note',
        ...(node === undefined ? {} : { node }),
        ...(scope?.step === undefined ? {} : { step: scope.step.id }),
        message: text,
        cloudRetry: {
          product: event.product,
          action: event.action,
          code: event.code,
          attempts: event.attempts,
          since,
          ...(event.kind === 'recovered' ? { recovered: true } : {}),
        },
      })
      .catch((error: unknown) =>
        ctx.logger.warn({ err: error }, `could not journal a retry note: ${message(error)}`),
      );
  };

  const unsubscribe = feed.subscribe((event) => {
    if (!listening) return;
    const scope = currentScope();
    const key = scope?.step?.id ?? scope?.node ?? 'run';
    const seconds = Math.round(event.elapsedMs / 1000);
    if (event.kind === 'recovered') {
      if (open.get(key) !== event.action) return;
      open.delete(key);
      write(
        scope,
        event,
        `${event.action} went through after ${event.attempts} attempts, ${seconds} s`,
      );
      return;
    }
    if (event.elapsedMs < RETRY_NOTE_AFTER_MS) return;
    const now = ctx.ports.clock.monotonic();
    const last = lastNoteAt.get(key);
    if (last !== undefined && now - last < RETRY_NOTE_EVERY_MS) return;
    lastNoteAt.set(key, now);
    open.set(key, event.action);
    const how = event.code.includes('Throttling') ? 'throttled' : 'failing';
    write(
      scope,
      event,
      `${event.action} ${how} (${event.code}), retrying: ${event.attempts} attempts, ${seconds} s so far`,
    );
  });
  return () => {
    listening = false;
    unsubscribe();
  };
}
