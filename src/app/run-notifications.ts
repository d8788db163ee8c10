/**
 * A run's notifications: the workflow's `notify` channels told what the run's journal says, as
 * each entry becomes durable (`RunWiring.afterAppend`, beside the crash tests' hook). The same
 * channels are what `plan` and `run` print as "notify:", so what is shown is what is told.
 */
import { resolve } from 'node:path';
import { type JournalEntry, runEventTracker } from '../engine/index.js';
import { sha256Hex } from '../engine/sha256.js';
import { type Logger, registerSecret } from '../log/index.js';
import { createNotifier, type NotifierOptions, targetLabel } from '../notify/index.js';
import { hashWorkflowText } from '../plan/plan-hash.js';
import type { Plan } from '../plan/types.js';
import type { Clock } from '../ports/index.js';
import type { Environment, NotifyChannelSpec, NotifySpec } from '../workflow/index.js';
import { loadAnyWorkflow } from './workflow-file.js';

/** What a run is wired with: the hook for each durable entry, and the flush at its end. */
export interface RunNotifications {
  afterAppend(entry: JournalEntry): void;
  /** Deliver what is queued within its bound; never throws. */
  close(): Promise<void>;
}

export interface RunNotificationOptions extends Omit<NotifierOptions, 'clock' | 'logger'> {
  clock: Clock;
  logger: Logger;
  /** Entries written before this process went on (a resumed run): known, not announced. */
  history?: readonly JournalEntry[];
}

/** Undefined when the workflow tells nobody. */
export function runNotifications(
  spec: NotifySpec | undefined,
  options: RunNotificationOptions,
): RunNotifications | undefined {
  if (spec === undefined || spec.channels.length === 0) return undefined;
  const { history, ...notifierOptions } = options;
  const notifier = createNotifier(spec.channels, notifierOptions);
  const track = runEventTracker(history);
  return {
    afterAppend(entry) {
      try {
        for (const event of track(entry)) notifier.notify(event);
      } catch (error) {
        // A journal entry the tracker cannot read must not stop the run it belongs to.
        options.logger.warn(
          { err: error },
          'a journal entry could not be turned into notifications',
        );
      }
    },
    close: () => notifier.close(),
  };
}

/**
 * The workflow's block without the channels that post to one of `told` (same platform, same
 * URL): `drainctl serve` tells its own targets of every run, and a room must not hear it twice.
 */
export function notifySpecBesides(
  spec: NotifySpec | undefined,
  told: readonly Pick<NotifyChannelSpec, 'type' | 'url'>[],
): NotifySpec | undefined {
  if (spec === undefined || told.length === 0) return spec;
  const channels = spec.channels.filter(
    (channel) => !told.some((other) => other.type === channel.type && other.url === channel.url),
  );
  return channels.length === 0 ? undefined : { ...spec, channels };
}

/** One hook out of several (notifications, the crash tests' hook), called in order. */
export function composeAfterAppend(
  ...hooks: Array<((entry: JournalEntry) => void) | undefined>
): ((entry: JournalEntry) => void) | undefined {
  const present = hooks.filter((h): h is (entry: JournalEntry) => void => h !== undefined);
  if (present.length === 0) return undefined;
  return (entry) => {
    for (const hook of present) hook(entry);
  };
}

/**
 * What `plan` and `run` print about the block: a heading, then one line per channel —
 * `dingtalk https://oapi.dingtalk.com/robot/… (started, finished)`. Nothing without channels.
 */
export function notifyChannelLines(spec: NotifySpec | undefined): string[] {
  const channels = spec?.channels ?? [];
  if (channels.length === 0) return [];
  return [
    'Notify (told as the run goes; never waited on):',
    ...channels.map(
      (c) =>
        `  ${targetLabel(c)} (${c.events === undefined ? 'every event' : c.events.join(', ')})`,
    ),
  ];
}

/**
 * The `notify` block of the workflow a journaled run was planned from, for `resume`: read again
 * from its file, and only when the file is still the one the plan was made from (its sha256) —
 * a block edited since may name rooms the run was never meant to tell.
 */
export async function notifySpecOfRun(
  plan: Plan,
  options: { env: Environment; cwd?: string; logger: Logger },
): Promise<NotifySpec | undefined> {
  const file =
    options.cwd === undefined ? plan.workflow.file : resolve(options.cwd, plan.workflow.file);
  try {
    // Either kind: a fleet run is resumed like a run of one balancer.
    const workflow = await loadAnyWorkflow(file, options.env);
    if (hashWorkflowText(workflow.source.text, sha256Hex) !== plan.workflow.sha256) {
      // A file that names no channel now has nothing to withhold: no warning to read at 3 am.
      if (workflow.spec.notify === undefined) return undefined;
      options.logger.warn(
        `${file} changed since the run was planned: its notify block is not used for this run`,
      );
      return undefined;
    }
    for (const secret of workflow.secrets) registerSecret(secret);
    return workflow.spec.notify;
  } catch (error) {
    options.logger.warn(
      { err: error },
      `${file}: not readable as the run's workflow, so nobody is notified of this run`,
    );
    return undefined;
  }
}
