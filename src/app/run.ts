/**
 * The `run` use case: execute a plan under its balancer's lock with its write-ahead journal —
 * what `drainctl run` does once the operator said yes to the runbook, and the library's `run`.
 * Resolves with the outcome (`completed`, `halted` in a safe state, `failed`); refusals throw.
 */
import { PlanChangedError, type RunResult, startRun } from '../engine/index.js';
import type { Plan } from '../plan/types.js';
import { engineOptionsFor, type RunWiring } from './composition-root.js';

export interface RunPlanOptions extends RunWiring {
  /**
   * Start even though the latest earlier run on this balancer halted, failed or was interrupted
   * (else `UNFINISHED_RUN`); that run stays as it is.
   */
  newRun?: boolean;
}

/** Refuse (`PLAN_CHANGED`) unless the plan is exactly the approved one (lower-case hex). */
export function refuseUnlessApproved(plan: Plan, approvedSha256: string | undefined): void {
  if (approvedSha256 !== undefined && approvedSha256 !== plan.sha256) {
    throw new PlanChangedError(approvedSha256, plan.sha256);
  }
}

/** @example const result = await runPlan(plan, { home, environment, env, logger, signal }); */
export function runPlan(plan: Plan, options: RunPlanOptions): Promise<RunResult> {
  return startRun(plan, {
    ...engineOptionsFor(options, plan.region),
    newRun: options.newRun === true,
  });
}
