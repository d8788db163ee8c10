/**
 * The `run` use case: execute a plan under its balancer's lock with its write-ahead journal —
 * what `drainctl run` does once the operator said yes to the runbook, and the library's `run`.
 * Resolves with the outcome (`completed`, `halted` in a safe state, `failed`); refusals throw.
 */
import { PlanChangedError, type RunApproval, type RunResult, startRun } from '../engine/index.js';
import type { Plan } from '../plan/types.js';
import type { NotifySpec } from '../workflow/index.js';
import { engineOptionsFor, type RunWiring, systemClock } from './composition-root.js';
import { composeAfterAppend, runNotifications } from './run-notifications.js';

export interface RunPlanOptions extends RunWiring {
  /**
   * Start even though the latest earlier run on this balancer halted, failed or was interrupted
   * (else `UNFINISHED_RUN`); that run stays as it is.
   */
  newRun?: boolean;
  /** The workflow's `notify` block: told what the run does, never waited on by it. */
  notify?: NotifySpec;
  /** A run's page, linked from its notifications. */
  pageUrl?: (runId: string) => string;
  /**
   * ISO instant: no server starts its drain at or after it (a schedule's window closing); the
   * run halts cleanly and names the servers it did not reach. Journaled, not in the plan's hash.
   */
  drainsEndAt?: string;
  /** The run's id when the caller named it before the run (an approval request); else a new one. */
  runId?: string;
  /** Who approved the run when a second person had to (chat-ops), journaled with the plan. */
  approvedBy?: string;
  /** The schedule approval it starts under (journaled beside the plan). */
  approval?: RunApproval;
}

/** Refuse (`PLAN_CHANGED`) unless the plan is exactly the approved one (lower-case hex). */
export function refuseUnlessApproved(plan: Plan, approvedSha256: string | undefined): void {
  if (approvedSha256 !== undefined && approvedSha256 !== plan.sha256) {
    throw new PlanChangedError(approvedSha256, plan.sha256);
  }
}

/** @example const result = await runPlan(plan, { home, environment, env, logger, signal }); */
export async function runPlan(plan: Plan, options: RunPlanOptions): Promise<RunResult> {
  const notifications = runNotifications(options.notify, {
    clock: options.ports?.clock ?? systemClock,
    logger: options.logger,
    ...(options.pageUrl === undefined ? {} : { pageUrl: options.pageUrl }),
  });
  const afterAppend = composeAfterAppend(notifications?.afterAppend, options.afterAppend);
  try {
    return await startRun(plan, {
      ...engineOptionsFor({ ...options, ...(afterAppend ? { afterAppend } : {}) }, plan),
      newRun: options.newRun === true,
      ...(options.drainsEndAt === undefined ? {} : { drainsEndAt: options.drainsEndAt }),
      ...(options.runId === undefined ? {} : { runId: options.runId }),
      ...(options.approvedBy === undefined ? {} : { approvedBy: options.approvedBy }),
      ...(options.approval === undefined ? {} : { approval: options.approval }),
    });
  } finally {
    await notifications?.close();
  }
}
