/**
 * The library's functions (`import { plan, run } from 'drainctl'`, docs/api.md): the use cases
 * with the defaults a script expects — the environment and working directory of its process,
 * DRAINCTL_HOME, drainctl's logger, the adapters the environment selects. Reading `process` for
 * those defaults is this file's job and no other use case's.
 */
import { resolve } from 'node:path';
import { type DrainctlEnvironment, readEnvironment } from '../config/index.js';
import type { AbortResult, EnginePorts, RunResult, RunStatus } from '../engine/index.js';
import { getLogger, type Logger, registerSecretsFromEnv } from '../log/index.js';
import type { Plan } from '../plan/index.js';
import { abortRun } from './abort.js';
import { createRuntime, withObservationBuckets, withRunStorage } from './composition-root.js';
import { planWorkflowFile } from './plan.js';
import { resumeRunById } from './resume.js';
import { refuseUnlessApproved, runPlan } from './run.js';
import { notifySpecOfRun } from './run-notifications.js';
import { runStatus } from './status.js';
import { loadWorkflow } from './workflow-file.js';

export interface ApiOptions {
  /** Environment for `${VAR}` interpolation, credentials and DRAINCTL_*; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Directory relative paths are resolved against; default process.cwd(). */
  cwd?: string;
  /** Where journals and locks live; default DRAINCTL_HOME, else ./.drainctl. */
  home?: string;
  /** The world drainctl acts on; default: the cloud adapters the environment selects. */
  ports?: EnginePorts;
  logger?: Logger;
}

export interface PlanApiOptions extends ApiOptions {
  /**
   * Servers found at weight 0 that no drainctl run saved a weight for: instance id → the weight
   * to bring each back to after its maintenance (like `--restore-weight id=N`). Without it (or
   * `leaveAtZero`) such a server is left as found and the run ends halted.
   */
  restoreWeight?: Record<string, number>;
  /** Servers found at weight 0 to leave there untouched on purpose (like `--leave-at-zero`). */
  leaveAtZero?: string[];
}

export interface RunApiOptions extends PlanApiOptions {
  /** Abort it to stop the run safely (like SIGTERM): it ends halted with every node reported. */
  signal?: AbortSignal;
  /** Refuse unless the plan is exactly this one (the sha256 of an approved plan). */
  planSha256?: string;
  /** Take over a lock whose holder is gone. */
  breakStaleLock?: boolean;
  /**
   * (`run`) Start even though the latest earlier run on this balancer halted, failed or was
   * interrupted (else `UNFINISHED_RUN`); that run stays as it is.
   */
  newRun?: boolean;
  /**
   * (`resume`) Instance ids of nodes that ended rolled back or left out, to carry through their
   * sequence again once their cause is fixed (re-observed live first); else `RETRY_REFUSED`.
   */
  retry?: string[];
}

interface Context {
  env: NodeJS.ProcessEnv;
  cwd: string;
  environment: DrainctlEnvironment;
  home: string;
  logger: Logger;
}

function context(options: ApiOptions): Context {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  registerSecretsFromEnv(env);
  const environment = readEnvironment(env, cwd);
  return {
    env,
    cwd,
    environment,
    home: options.home ?? environment.home,
    logger: options.logger ?? getLogger(),
  };
}

/** What the run use cases are given, from a script's context. */
function wiring(ctx: Context, options: RunApiOptions) {
  return {
    home: ctx.home,
    environment: ctx.environment,
    env: ctx.env,
    logger: ctx.logger,
    ...(options.ports === undefined ? {} : { ports: options.ports }),
    ...(options.signal ? { signal: options.signal } : {}),
    breakStaleLock: options.breakStaleLock === true,
  };
}

/**
 * Validate a workflow, observe the live world (read-only) and plan. Invalid input throws an
 * `InvalidInputError` naming the file and the path inside it.
 */
export async function plan(workflowFile: string, options: PlanApiOptions = {}): Promise<Plan> {
  const ctx = context(options);
  const file = resolve(ctx.cwd, workflowFile);
  const workflow = await loadWorkflow(file, ctx.env);
  // With DRAINCTL_DATABASE_URL, observing keeps to the API rate limits every replica shares.
  const result = await withObservationBuckets(ctx.environment, ctx.logger, (rateBuckets) => {
    const ports =
      options.ports ??
      createRuntime({
        environment: ctx.environment,
        region: workflow.spec.region,
        logger: ctx.logger,
        env: ctx.env,
        ...(rateBuckets === undefined ? {} : { rateBuckets }),
      }).ports;
    return planWorkflowFile(file, {
      env: ctx.env,
      cwd: ctx.cwd,
      environment: ctx.environment,
      logger: ctx.logger,
      // Observation reads instances through the host that serves `ecs` targets.
      ports: {
        loadBalancer: ports.loadBalancer,
        host: ports.host({ kind: 'ecs', instanceId: '' }),
        dns: ports.dns,
        clock: ports.clock,
      },
      choices: {
        ...(options.restoreWeight === undefined ? {} : { restoreWeight: options.restoreWeight }),
        ...(options.leaveAtZero === undefined ? {} : { leaveAtZero: options.leaveAtZero }),
      },
    });
  });
  return result.plan;
}

/**
 * Execute a plan (or plan a workflow file, then execute it). Resolves with the outcome:
 * `completed` (exit 0), `halted` in a safe state (exit 2; `report.leftOut` names any node left
 * out of service and why), `failed` (exit 1).
 */
export async function run(
  planOrWorkflow: Plan | string,
  options: RunApiOptions = {},
): Promise<RunResult> {
  const ctx = context(options);
  const thePlan =
    typeof planOrWorkflow === 'string' ? await plan(planOrWorkflow, options) : planOrWorkflow;
  refuseUnlessApproved(thePlan, options.planSha256?.toLowerCase());
  const notify = await notifySpecOfRun(thePlan, { env: ctx.env, cwd: ctx.cwd, logger: ctx.logger });
  // With DRAINCTL_DATABASE_URL the run journals and takes its lease there, as `drainctl run`.
  return withRunStorage(ctx.environment, ctx.logger, (shared) =>
    runPlan(thePlan, {
      ...wiring(ctx, options),
      newRun: options.newRun === true,
      ...(notify === undefined ? {} : { notify }),
      ...(shared === undefined ? {} : { shared }),
    }),
  );
}

/**
 * Reconcile an interrupted (or halted) run with the live state and continue it (from the
 * database with DRAINCTL_DATABASE_URL, as `drainctl resume`).
 */
export async function resume(runId: string, options: RunApiOptions = {}): Promise<RunResult> {
  const ctx = context(options);
  return withRunStorage(ctx.environment, ctx.logger, (shared) =>
    resumeRunById(runId, {
      ...wiring(ctx, options),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      cwd: ctx.cwd,
      ...(shared === undefined ? {} : { shared }),
    }),
  );
}

/**
 * A run, node by node (default: the latest run). Reads only. With DRAINCTL_DATABASE_URL in the
 * environment, from the database replicas share (as `drainctl status`), else from DRAINCTL_HOME.
 */
export async function status(runId?: string, options: ApiOptions = {}): Promise<RunStatus> {
  const ctx = context(options);
  return withRunStorage(ctx.environment, ctx.logger, (shared) =>
    runStatus({
      home: ctx.home,
      ...(runId === undefined ? {} : { runId }),
      ...(shared === undefined ? {} : { shared }),
    }),
  );
}

/**
 * Ask a running run to stop after its current step (it ends halted, every node reported). With
 * DRAINCTL_DATABASE_URL, the request is left in the database for the process running it (as
 * `drainctl abort`).
 */
export async function abort(runId: string, options: ApiOptions = {}): Promise<AbortResult> {
  const ctx = context(options);
  return withRunStorage(ctx.environment, ctx.logger, (shared) =>
    abortRun({ home: ctx.home, runId, ...(shared === undefined ? {} : { shared }) }),
  );
}
