/**
 * drainctl's programmatic API, for people who script their maintenance in TypeScript. The CLI
 * is built on the same functions: `plan` observes and plans (changes nothing), `run` executes a
 * plan under the balancer's lock with its journal, `resume` continues an interrupted run,
 * `status` reads one, `abort` asks a running one to stop. Results are typed; failures are
 * `DrainctlError`s with a stable `code`.
 *
 * @example
 *   import { plan, run } from 'drainctl';
 *   const p = await plan('workflows/kernel-patch.yaml');
 *   if (p.steps.length > 0) {
 *     const result = await run(p, { signal: AbortSignal.timeout(3_600_000) });
 *     if (result.outcome !== 'completed') console.error(result.report.leftOut);
 *   }
 */
import { resolve } from 'node:path';
import { createRuntime } from './app/composition-root.js';
import { planWorkflowFile } from './app/plan.js';
import { loadWorkflow } from './app/workflow-file.js';
import { type DrainctlEnvironment, readEnvironment } from './config/index.js';
import {
  type AbortResult,
  type EnginePorts,
  PlanChangedError,
  type RunResult,
  type RunStatus,
  readRunStatus,
  requestAbort,
  resumeRun,
  startRun,
} from './engine/index.js';
import { sha256Hex } from './engine/sha256.js';
import { getLogger, type Logger, registerSecret, registerSecretsFromEnv } from './log/index.js';
import { type Plan, planRollout } from './plan/index.js';

export type {
  AbortResult,
  EnginePorts,
  JournalEntry,
  NodeReport,
  RunOutcome,
  RunReport,
  RunResult,
  RunStatus,
} from './engine/index.js';
export * from './errors/index.js';
export type * from './plan/types.js';
export type * from './ports/index.js';

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

function portsFor(ctx: Context, options: ApiOptions, region: string): EnginePorts {
  return (
    options.ports ??
    createRuntime({ environment: ctx.environment, region, logger: ctx.logger, env: ctx.env }).ports
  );
}

/**
 * Validate a workflow, observe the live world (read-only) and plan. Invalid input throws an
 * `InvalidInputError` naming the file and the path inside it.
 */
export async function plan(workflowFile: string, options: PlanApiOptions = {}): Promise<Plan> {
  const ctx = context(options);
  const file = resolve(ctx.cwd, workflowFile);
  const workflow = await loadWorkflow(file, ctx.env);
  const ports = portsFor(ctx, options, workflow.spec.region);
  const result = await planWorkflowFile(file, {
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
  if (options.planSha256 !== undefined && options.planSha256.toLowerCase() !== thePlan.sha256) {
    throw new PlanChangedError(options.planSha256.toLowerCase(), thePlan.sha256);
  }
  return startRun(thePlan, {
    home: ctx.home,
    ports: portsFor(ctx, options, thePlan.region),
    logger: ctx.logger,
    ...(options.signal ? { signal: options.signal } : {}),
    breakStaleLock: options.breakStaleLock === true,
    newRun: options.newRun === true,
  });
}

/** Reconcile an interrupted (or halted) run with the live state and continue it. */
export async function resume(runId: string, options: RunApiOptions = {}): Promise<RunResult> {
  const ctx = context(options);
  const current = await readRunStatus(ctx.home, runId);
  return resumeRun(runId, {
    home: ctx.home,
    ports: portsFor(ctx, options, current.state.plan.region),
    logger: ctx.logger,
    ...(options.signal ? { signal: options.signal } : {}),
    breakStaleLock: options.breakStaleLock === true,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    recoverPlan: async (journaled) => {
      const workflow = await loadWorkflow(resolve(ctx.cwd, journaled.workflow.file), ctx.env);
      // A new process: the secrets the plan's commands use must be known before it runs them.
      for (const secret of workflow.secrets) registerSecret(secret);
      return planRollout(
        workflow.spec,
        journaled.inventory,
        { file: journaled.workflow.file, text: workflow.source.text },
        sha256Hex,
        journaled.zeroWeightChoices ?? {},
      );
    },
  });
}

/** A run, node by node (default: the latest run). Reads only. */
export async function status(runId?: string, options: ApiOptions = {}): Promise<RunStatus> {
  return readRunStatus(context(options).home, runId);
}

/** Ask a running run to stop after its current step (it ends halted, every node reported). */
export async function abort(runId: string, options: ApiOptions = {}): Promise<AbortResult> {
  return requestAbort(context(options).home, runId);
}
