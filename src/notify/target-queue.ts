/**
 * One target's outbox: events wait here in order and are sent one at a time, never faster than
 * the target's rate; what piles up while over it goes out as one message that sums it up. Each
 * message is tried a bounded number of times with backoff (p-retry drives the loop; the waits
 * are on the injected clock). A message that cannot be delivered is logged once per target, with
 * its URL masked, and dropped: nothing here ever reaches the run.
 */
import pRetry from 'p-retry';
import { type Logger, redact, redactString } from '../log/index.js';
import type { Clock, NotifyEvent } from '../ports/index.js';
import type { NotifyChannelSpec } from '../workflow/index.js';
import { cutText } from './cut-text.js';
import { describeEvent, type EventText } from './event-text.js';
import type { DeliveryAnswer, Platform, Rendered } from './platforms/index.js';
import { RateWindow } from './rate-window.js';
import { targetLabel } from './target-label.js';

export interface DeliveryOptions {
  fetch: typeof fetch;
  clock: Clock;
  logger: Logger;
  pageUrl?: (runId: string) => string;
  /** Tries after the first (default 3). */
  retries: number;
  /** First backoff; doubled each try up to `maxBackoffMs` (defaults 1 s and 30 s). */
  backoffMs: number;
  maxBackoffMs: number;
  /** One request's time limit (default 10 s). */
  requestTimeoutMs: number;
}

class UndeliveredError extends Error {
  constructor(readonly answer: Extract<DeliveryAnswer, { ok: false }>) {
    super(answer.detail);
  }
}

export class TargetQueue {
  readonly label: string;
  private readonly pending: NotifyEvent[] = [];
  private readonly window: RateWindow;
  private running: Promise<void> | undefined;
  private failures = 0;
  private sent = 0;

  constructor(
    private readonly channel: NotifyChannelSpec,
    private readonly platform: Platform,
    private readonly options: DeliveryOptions,
    /** Aborted when the notifier closes for good: waits end, what is left is dropped. */
    private readonly stop: AbortSignal,
  ) {
    this.label = targetLabel(channel);
    this.window = new RateWindow(channel.ratePerMinute ?? platform.ratePerMinute);
  }

  push(event: NotifyEvent): void {
    this.pending.push(event);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves once the outbox is empty (or the notifier stopped it). */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Messages still waiting, and deliveries that failed for good. */
  counts(): { pending: number; failures: number; sent: number } {
    return { pending: this.pending.length, failures: this.failures, sent: this.sent };
  }

  private async drain(): Promise<void> {
    const { clock } = this.options;
    while (this.pending.length > 0 && !this.stop.aborted) {
      const wait = this.window.waitMs(clock.monotonic());
      if (wait > 0) {
        try {
          await clock.sleep(wait, this.stop);
        } catch {
          return; // closed while over the rate: what is left is reported by close()
        }
      }
      // Over the rate, everything that piled up meanwhile becomes one message.
      const batch = wait > 0 ? this.pending.splice(0) : this.pending.splice(0, 1);
      this.window.record(clock.monotonic());
      await this.deliver(this.render(batch));
    }
  }

  private render(batch: NotifyEvent[]): Rendered {
    const texts = batch.map(describeEvent);
    const text: EventText =
      texts.length === 1 && texts[0] !== undefined
        ? texts[0]
        : {
            title: `${texts.length} notifications, summed up (over the rate limit of this room)`,
            lines: texts.map((t) => [t.title, ...t.lines].join(' — ')),
            ...runOf(texts),
          };
    const link =
      text.runId === undefined || this.options.pageUrl === undefined
        ? undefined
        : this.options.pageUrl(text.runId);
    const full = redactString(this.platform.render(text, link));
    const tail =
      link === undefined
        ? '… (cut; `drainctl status` has the whole report)'
        : `… (cut) ${this.platform.linkTo('full report', link)}`;
    return {
      title: redactString(text.title),
      text: cutText(full, this.platform.limit, tail),
      data: redact(batch.length === 1 ? batch[0] : batch),
    };
  }

  private async deliver(message: Rendered): Promise<void> {
    const { clock, retries } = this.options;
    try {
      await pRetry(() => this.attempt(message), {
        retries,
        minTimeout: 0,
        maxTimeout: 0,
        randomize: false,
        signal: this.stop,
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (error instanceof UndeliveredError && !error.answer.retryable) throw error;
          if (retriesLeft === 0) return;
          const backoff = Math.min(
            this.options.backoffMs * 2 ** (attemptNumber - 1),
            this.options.maxBackoffMs,
          );
          const asked = error instanceof UndeliveredError ? error.answer.retryAfterMs : undefined;
          await clock.sleep(Math.min(Math.max(backoff, asked ?? 0), 60_000), this.stop);
        },
      });
      this.sent += 1;
    } catch (error) {
      this.failed(error);
    }
  }

  private async attempt(message: Rendered): Promise<void> {
    const { clock } = this.options;
    const request = this.platform.request(this.channel, message, clock.now());
    const timeout = new AbortController();
    const timer = new AbortController();
    clock.sleep(this.options.requestTimeoutMs, timer.signal).then(
      () => timeout.abort(new Error(`no answer within ${this.options.requestTimeoutMs} ms`)),
      () => undefined,
    );
    try {
      const response = await this.options.fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.any([timeout.signal, this.stop]),
      });
      const body = await response.text();
      const answer = this.platform.judge(response.status, body, response.headers);
      if (!answer.ok) throw new UndeliveredError(answer);
    } finally {
      timer.abort();
    }
  }

  private failed(error: unknown): void {
    this.failures += 1;
    const detail = redactString(
      error instanceof Error
        ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}`
        : String(error),
    );
    // Once per target: a room that is down must not fill the log with one line per event.
    if (this.failures === 1) {
      this.options.logger.warn(
        { target: this.label },
        `notification to ${this.label} not delivered: ${detail}; the run goes on (later failures of this target are counted, not logged)`,
      );
    }
  }
}

function runOf(texts: EventText[]): { runId?: string } {
  const last = texts.findLast((t) => t.runId !== undefined);
  return last?.runId === undefined ? {} : { runId: last.runId };
}
