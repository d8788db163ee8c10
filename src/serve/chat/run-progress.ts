/**
 * Progress of a run started from chat, told in its thread: started, each server drained, each
 * patched and back in service or left out with its reason, the result, and a link to the run's
 * page. What happened comes from the run's journal through the events notifications use
 * (`runEventTracker`) and, for "drained", the server's own node events (the journal's node
 * states as `GET /api/events` streams them): no second reading of the journal here.
 */
import { type JournalEntry, type NotifyEvent, runEventTracker } from '../../app/index.js';
import type { ChatReply, ReplyHandle } from '../../chat/index.js';
import type { Logger } from '../../log/index.js';
import type { RunEventHub, ServeEvent } from '../events/run-events.js';

export interface ThreadSender {
  send(handle: ReplyHandle, reply: ChatReply): Promise<ReplyHandle>;
}

interface Watched {
  handle: ReplyHandle;
  track: (entry: JournalEntry) => NotifyEvent[];
  /** Messages go out one after the other, in the order the journal wrote them. */
  queue: Promise<void>;
}

export class RunProgress {
  private readonly watched = new Map<string, Watched>();

  constructor(
    events: RunEventHub,
    private readonly sender: ThreadSender,
    private readonly logger: Logger,
    private readonly pageUrl: (runId: string) => string,
  ) {
    events.observe((entry, state) => this.onEntry(state.runId, entry));
    events.subscribe((event) => this.onServeEvent(event));
  }

  /** Tell the thread of `handle` what run `runId` does, from its plan entry on. */
  watch(runId: string, handle: ReplyHandle): void {
    this.watched.set(runId, { handle, track: runEventTracker(), queue: Promise.resolve() });
  }

  /** The thread the run's first answer started (Slack), when progress has none yet. */
  adoptThread(runId: string, handle: ReplyHandle): void {
    const run = this.watched.get(runId);
    if (run !== undefined && run.handle.platform === 'slack' && run.handle.threadTs === undefined) {
      run.handle = handle;
    }
  }

  /** Resolves once every message queued so far went out (or failed, logged). */
  async settled(): Promise<void> {
    await Promise.all([...this.watched.values()].map((run) => run.queue));
  }

  private onEntry(runId: string, entry: JournalEntry): void {
    const run = this.watched.get(runId);
    if (run === undefined) return;
    for (const event of run.track(entry)) {
      const reply = progressReply(event, this.pageUrl);
      if (reply !== undefined) this.enqueue(runId, run, reply);
    }
    if (entry.type === 'done') {
      const last = run.queue;
      void last.then(() => this.watched.delete(runId));
    }
  }

  private onServeEvent(event: ServeEvent): void {
    if (event.type !== 'node' || event.state !== 'drained' || event.from === 'drained') return;
    const run = this.watched.get(event.runId);
    if (run === undefined) return;
    this.enqueue(event.runId, run, {
      title: `${event.name} drained`,
      lines: [`${event.name} (${event.node}) is out of traffic (weight 0); patching it next.`],
    });
  }

  private enqueue(runId: string, run: Watched, reply: ChatReply): void {
    run.queue = run.queue.then(async () => {
      try {
        run.handle = await this.sender.send(run.handle, reply);
      } catch (error) {
        this.logger.warn({ err: error, runId }, `chat progress of ${runId} not sent`);
      }
    });
  }
}

/** One chat message for one of the run's events; undefined for events the thread skips. */
export function progressReply(
  event: NotifyEvent,
  pageUrl: (runId: string) => string,
): ChatReply | undefined {
  switch (event.kind) {
    case 'started':
      return {
        title: `${event.workflow} ${event.runId} ${event.resumed ? 'resumed' : 'started'}`,
        lines: [
          `Plan sha256 ${event.planSha256}`,
          `Servers: ${event.nodes.join(', ')}`,
          `Follow it: ${pageUrl(event.runId)}`,
        ],
        actions: [{ label: 'Abort', command: `abort ${event.runId}` }],
      };
    case 'node-done':
      return {
        title: `${event.node} patched and back in service`,
        lines:
          event.before === undefined && event.after === undefined
            ? []
            : [`${event.before ?? '?'} → ${event.after ?? '?'}`],
      };
    case 'node-left-out':
      return {
        title: `${event.node} left out`,
        lines: [`Reason: ${event.reason}${event.detail === undefined ? '' : ` — ${event.detail}`}`],
      };
    case 'halted':
      return { title: `${event.workflow} ${event.runId} halting`, lines: [event.reason] };
    case 'aborted':
      return {
        title: `${event.workflow} ${event.runId} stopping`,
        lines: [`Asked by ${event.source}`],
      };
    case 'finished':
      return {
        title: `${event.workflow} ${event.runId} ${event.outcome}`,
        lines: [
          event.summary,
          ...(event.patched.length === 0
            ? []
            : [`Patched: ${event.patched.map((node) => node.node).join(', ')}`]),
          ...(event.leftOut.length === 0
            ? []
            : [
                `Left out: ${event.leftOut.map((node) => `${node.node} (${node.reason})`).join(', ')}`,
              ]),
          `Run page: ${pageUrl(event.runId)}`,
        ],
      };
    case 'alert-gate-blocking':
      return { title: `${event.workflow}: the alert gate is blocking`, lines: [event.reason] };
    default:
      return undefined;
  }
}
