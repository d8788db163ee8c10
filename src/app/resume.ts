/**
 * The `resume` use case: reconcile an interrupted (or halted) run's journal with the live state,
 * then continue it — or finish stopping it. Refused while another live process holds the
 * balancer's lock.
 */
import {
  type RunResult,
  type RunStatus,
  readRunJournal,
  readRunStatus,
  resumeRun,
} from '../engine/index.js';
import type { NotifyChannelSpec } from '../workflow/index.js';
import { engineOptionsFor, type RunWiring, systemClock } from './composition-root.js';
import { recoverPlan } from './plan.js';
import {
  composeAfterAppend,
  notifySpecBesides,
  notifySpecOfRun,
  runNotifications,
} from './run-notifications.js';

export interface ResumeOptions extends RunWiring {
  /**
   * Instance ids of nodes that ended rolled back or left out, to carry through their sequence
   * again once their cause is fixed (re-observed live first); else `RETRY_REFUSED`.
   */
  retry?: string[];
  /** The run as the caller already read it (to show it before asking); else it is read here. */
  status?: RunStatus;
  /** Where the journaled workflow path is relative to (see `recoverPlan`). */
  cwd?: string;
  /** A run's page, linked from its notifications. */
  pageUrl?: (runId: string) => string;
  /** Targets told of the run by the caller already (serve.yaml's): the workflow's skip them. */
  notifiedElsewhere?: readonly NotifyChannelSpec[];
}

/** @example const result = await resumeRunById('r-20261121-020000-1a2b', { home, … }); */
export async function resumeRunById(runId: string, options: ResumeOptions): Promise<RunResult> {
  const status =
    options.status ?? (await readRunStatus(options.home, runId, undefined, options.shared));
  // The workflow's notify block tells of the run again; what it already told is in the journal.
  const notify = notifySpecBesides(
    await notifySpecOfRun(status.state.plan, {
      env: options.env,
      logger: options.logger,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    }),
    options.notifiedElsewhere ?? [],
  );
  const notifications = runNotifications(notify, {
    clock: options.ports?.clock ?? systemClock,
    logger: options.logger,
    ...(options.pageUrl === undefined ? {} : { pageUrl: options.pageUrl }),
    history: notify === undefined ? [] : await readRunJournal(options.home, runId, options.shared),
  });
  const afterAppend = composeAfterAppend(notifications?.afterAppend, options.afterAppend);
  try {
    return await resumeWith(runId, status, { ...options, ...(afterAppend ? { afterAppend } : {}) });
  } finally {
    await notifications?.close();
  }
}

function resumeWith(runId: string, status: RunStatus, options: ResumeOptions): Promise<RunResult> {
  return resumeRun(runId, {
    ...engineOptionsFor(options, status.state.plan),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    recoverPlan: (journaled) =>
      recoverPlan(journaled, {
        env: options.env,
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      }),
  });
}
