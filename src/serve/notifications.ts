/**
 * serve.yaml's `notify` targets: told of every run this server executes (started over the API,
 * by a schedule or resumed) from the journal entries the event hub folds — the same events
 * `drainctl run` derives for a workflow's own block — and of what the scheduler decides
 * (planned, approval needed, skipped, alert gate blocking). One notifier for the process, so a
 * target's rate limit counts every message it gets.
 */
import { eventsOf, type JournalEntry, type RunState, systemClock } from '../app/index.js';
import type { Logger } from '../log/index.js';
import { createNotifier } from '../notify/index.js';
import type { Clock, NotifyEvent } from '../ports/index.js';
import type { ServeConfig } from './config/index.js';
import type { RunEventHub } from './events/run-events.js';

export interface ServeNotifications {
  /** Queue a scheduler's event; never throws, never waits. */
  notify(event: NotifyEvent): void;
  /** Deliver what is queued within its bound; never throws. */
  close(): Promise<void>;
}

export function serveNotifications(
  notify: ServeConfig['notify'],
  events: RunEventHub,
  options: {
    logger: Logger;
    clock?: Clock;
    pageUrl?: (runId: string) => string;
    fetch?: typeof fetch;
  },
): ServeNotifications {
  const channels = notify?.channels ?? [];
  if (channels.length === 0) return { notify: () => undefined, close: async () => undefined };
  const notifier = createNotifier(channels, {
    clock: options.clock ?? systemClock,
    logger: options.logger,
    ...(options.pageUrl === undefined ? {} : { pageUrl: options.pageUrl }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  // Node states before each entry, per run: a resumed run's first entry (`resume`) changes none,
  // so what it already reached before the restart is not announced again.
  const before = new Map<string, Map<string, string>>();
  const unobserve = events.observe((entry: JournalEntry, state: RunState) => {
    try {
      const known =
        entry.type === 'plan' ? undefined : (before.get(state.runId) ?? nodeStates(state));
      for (const event of eventsOf(entry, state, known)) notifier.notify(event);
    } catch (error) {
      options.logger.warn({ err: error }, 'a journal entry could not be turned into notifications');
    }
    if (entry.type === 'done') before.delete(state.runId);
    else before.set(state.runId, nodeStates(state));
  });
  return {
    notify: (event) => notifier.notify(event),
    async close() {
      unobserve();
      await notifier.close();
    },
  };
}

function nodeStates(state: RunState): Map<string, string> {
  return new Map([...state.nodes.values()].map((node) => [node.id, node.state]));
}
