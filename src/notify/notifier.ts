/**
 * The notifier: hands each event to the outbox of every channel that wants it. `notify` returns
 * at once and never throws; `close` waits a bounded time for the outboxes to empty, then stops
 * them and says what was left unsent.
 */
import type { Logger } from '../log/index.js';
import type { Clock, NotifyEvent } from '../ports/index.js';
import type { NotifyChannelSpec } from '../workflow/index.js';
import { eventSelected } from './event-filter.js';
import { PLATFORMS } from './platforms/index.js';
import { type DeliveryOptions, TargetQueue } from './target-queue.js';

export interface Notifier {
  /** Queue the event for every channel that wants it; never throws, never waits. */
  notify(event: NotifyEvent): void;
  /** Deliver what is queued within `closeTimeoutMs`, then stop; never throws. */
  close(): Promise<void>;
}

export interface NotifierOptions {
  clock: Clock;
  logger: Logger;
  fetch?: typeof fetch;
  /** The page of a run, linked from every message about it (and from a cut one). */
  pageUrl?: (runId: string) => string;
  /** Tries after the first failed one (default 3). */
  retries?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  requestTimeoutMs?: number;
  /** How long `close` waits for the outboxes (default 5 s). */
  closeTimeoutMs?: number;
}

export const NOTIFY_DEFAULTS = {
  retries: 3,
  backoffMs: 1000,
  maxBackoffMs: 30_000,
  requestTimeoutMs: 10_000,
  closeTimeoutMs: 5000,
} as const;

/** @example const notifier = createNotifier(spec.channels, { clock, logger }); notifier.notify(event); */
export function createNotifier(
  channels: readonly NotifyChannelSpec[],
  options: NotifierOptions,
): Notifier {
  const stop = new AbortController();
  const delivery: DeliveryOptions = {
    fetch: options.fetch ?? globalThis.fetch,
    clock: options.clock,
    logger: options.logger,
    ...(options.pageUrl === undefined ? {} : { pageUrl: options.pageUrl }),
    retries: options.retries ?? NOTIFY_DEFAULTS.retries,
    backoffMs: options.backoffMs ?? NOTIFY_DEFAULTS.backoffMs,
    maxBackoffMs: options.maxBackoffMs ?? NOTIFY_DEFAULTS.maxBackoffMs,
    requestTimeoutMs: options.requestTimeoutMs ?? NOTIFY_DEFAULTS.requestTimeoutMs,
  };
  const targets = channels.map((channel) => ({
    channel,
    queue: new TargetQueue(channel, PLATFORMS[channel.type], delivery, stop.signal),
  }));
  let closed = false;
  return {
    notify(event) {
      if (closed) return;
      for (const { channel, queue } of targets) {
        try {
          if (eventSelected(channel.events, event)) queue.push(event);
        } catch (error) {
          options.logger.warn(
            { err: error, target: queue.label },
            `notification to ${queue.label} not queued`,
          );
        }
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      const bound = new AbortController();
      const idle = Promise.all(targets.map(({ queue }) => queue.idle()));
      await Promise.race([
        idle,
        options.clock
          .sleep(options.closeTimeoutMs ?? NOTIFY_DEFAULTS.closeTimeoutMs, bound.signal)
          .catch(() => undefined),
      ]);
      bound.abort();
      stop.abort(new Error('notifier closed'));
      await idle;
      for (const { queue } of targets) {
        const { pending, failures } = queue.counts();
        if (pending > 0 || failures > 1) {
          options.logger.warn(
            { target: queue.label, unsent: pending, failures },
            `notifications to ${queue.label}: ${failures} not delivered, ${pending} left unsent at the end`,
          );
        }
      }
    },
  };
}
