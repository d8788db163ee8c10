/**
 * The runs this server executes, each through the same use cases as the CLI (`planWorkflowFile`
 * then `runPlan`; `resumeRunById`; `abortRun`): same journal, same lock, so `drainctl status`
 * sees them and a second run on a balancer is refused by its lock. Runs on different balancers
 * execute concurrently in this process. A request resolves once the run's first entry is on
 * disk (its id is known, the lock is held) or the use case refused it.
 */
import {
  type AbortResult,
  abortRun,
  checkRunId,
  type DrainProgressEvent,
  type JournalEntry,
  loadWorkflow,
  notifySpecBesides,
  planWorkflowFile,
  type RunApproval,
  type RunResult,
  resumeRunById,
  runPlan,
  runStatus,
} from '../../app/index.js';
import type { DrainctlEnvironment } from '../../config/index.js';
import type { Logger } from '../../log/index.js';
import type { Plan } from '../../plan/index.js';
import type { CloudCallEvent, SharedStorage } from '../../ports/index.js';
import type { LoadedWorkflow, NotifyChannelSpec } from '../../workflow/index.js';
import type { RunEventHub } from '../events/run-events.js';
import { ApiError } from '../http/api-error.js';

export interface RunRegistryOptions {
  home: string;
  environment: DrainctlEnvironment;
  /** `${VAR}` values of the workflows, credentials, the environment of `local` hooks. */
  env: NodeJS.ProcessEnv;
  /** Where workflow paths in plans are relative to (as for the CLI: its working directory). */
  cwd: string;
  logger: Logger;
  catalog: ReadonlyMap<string, string>;
  events: RunEventHub;
  /** Told of every cloud request's answer, planning included (metrics). */
  onCloudCall?: (event: CloudCallEvent) => void;
  /** serve.yaml's notification targets: told of every run already, so a workflow's skip them. */
  notifyTargets?: readonly NotifyChannelSpec[];
  /** A run's page (serve.yaml's `publicUrl`), linked from the workflow's notifications. */
  pageUrl?: (runId: string) => string;
  /** Journals and leases in the database replicas share; else files under `home`. */
  shared?: SharedStorage;
}

interface LiveRun {
  controller: AbortController;
  /** Aborted to hand the run over to another replica (replicas only). */
  handover: AbortController;
  done: Promise<unknown>;
  runId?: string;
}

/** A catalog workflow planned against the live world: the plan, and the workflow it came from. */
export interface CatalogPlan {
  plan: Plan;
  workflow: LoadedWorkflow;
}

export class RunRegistry {
  private readonly live = new Set<LiveRun>();
  /** Runs a resume here is picking up (until it is in `live` with its id, or refused). */
  private readonly resuming = new Set<string>();
  private closing = false;

  constructor(private readonly options: RunRegistryOptions) {}

  /** Start the catalog's workflow `name` as a new run; resolves with its id. */
  async start(name: string, by: string, newRun = false): Promise<{ runId: string }> {
    return this.startPlanned(await this.planCatalog(name), by, { newRun });
  }

  /** Plan the catalog's workflow `name` (read-only), as `start` does before it runs it. */
  async planCatalog(name: string): Promise<CatalogPlan> {
    const file = this.catalogFile(name);
    this.refuseWhileClosing();
    return planWorkflowFile(file, {
      env: this.options.env,
      cwd: this.options.cwd,
      environment: this.options.environment,
      logger: this.options.logger,
      ...(this.options.onCloudCall === undefined ? {} : { onCloudCall: this.options.onCloudCall }),
      ...(this.options.shared === undefined
        ? {}
        : { rateBuckets: this.options.shared.rateBuckets }),
    });
  }

  /** Run a plan made by `planCatalog` (a schedule's, maybe reordered); resolves with its id. */
  startPlanned(
    planned: CatalogPlan,
    by: string,
    how: {
      newRun?: boolean;
      drainsEndAt?: string;
      approval?: RunApproval;
      /** The run's id when the caller named it before the run (a chat approval request). */
      runId?: string;
      /** Who approved it when a second person had to (chat-ops), journaled with the plan. */
      approvedBy?: string;
      /** Called once the run holds its lock, before its first entry is announced. */
      beforeFirstEntry?: () => void;
    } = {},
  ): Promise<{ runId: string }> {
    const notify = notifySpecBesides(
      planned.workflow.spec.notify,
      this.options.notifyTargets ?? [],
    );
    return this.track(
      by,
      'started',
      (live, afterAppend) =>
        runPlan(planned.plan, {
          ...this.wiring(live, by, afterAppend),
          newRun: how.newRun === true,
          ...(notify === undefined ? {} : { notify }),
          ...(how.drainsEndAt === undefined ? {} : { drainsEndAt: how.drainsEndAt }),
          ...(how.approval === undefined ? {} : { approval: how.approval }),
          ...(how.runId === undefined ? {} : { runId: how.runId }),
          ...(how.approvedBy === undefined ? {} : { approvedBy: how.approvedBy }),
        }),
      undefined,
      how.beforeFirstEntry,
    );
  }

  /** The catalog's workflow `name`, read and validated (no cloud call). */
  catalogWorkflow(name: string): Promise<LoadedWorkflow> {
    return loadWorkflow(this.catalogFile(name), this.options.env);
  }

  private catalogFile(name: string): string {
    const file = this.options.catalog.get(name);
    if (file === undefined) {
      throw new ApiError(404, 'UNKNOWN_WORKFLOW', `no workflow "${name}" in the catalog`, {
        path: 'workflow',
        expected: `one of ${[...this.options.catalog.keys()].join(', ')}`,
        found: JSON.stringify(name),
      });
    }
    return file;
  }

  /**
   * Resume a run (reconcile, then continue) in this process; resolves once it is picked up.
   * Another process's resume is refused by the run's lock (the lease); a second one here (the
   * takeover's look, the start-up resume, an operator) is refused before it reads the run, so it
   * cannot replace or drop the live state the run's events are told from.
   */
  async resume(runId: string, by: string): Promise<{ runId: string }> {
    checkRunId(this.options.home, runId);
    this.refuseWhileClosing();
    // Checked and marked with no await between: of two resumes here, the second is refused.
    if (this.resuming.has(runId) || this.runIds().includes(runId)) {
      throw new ApiError(409, 'LOCK_HELD', `run ${runId} is already executed by this server`);
    }
    this.resuming.add(runId);
    try {
      const status = await runStatus({
        home: this.options.home,
        runId,
        ...(this.options.shared === undefined ? {} : { shared: this.options.shared }),
      });
      this.options.events.adopt(status.state);
      return await this.track(
        by,
        'resumed',
        (live, afterAppend) =>
          resumeRunById(runId, {
            ...this.wiring(live, by, afterAppend),
            status,
            cwd: this.options.cwd,
            ...(this.options.notifyTargets === undefined
              ? {}
              : { notifiedElsewhere: this.options.notifyTargets }),
          }),
        runId,
      );
    } finally {
      this.resuming.delete(runId);
    }
  }

  /** Ask a run to stop, as `drainctl abort` does; a run of this process stops at once. */
  async abort(runId: string, by: string): Promise<AbortResult> {
    checkRunId(this.options.home, runId);
    const shared = this.options.shared;
    // With replicas the run may execute on another one: the request waits for it in the database.
    const result = await abortRun({
      home: this.options.home,
      runId,
      by,
      ...(shared === undefined ? {} : { shared }),
    });
    for (const live of this.live) {
      if (live.runId === runId) live.controller.abort(new Error(`drainctl abort (${by})`));
    }
    return result;
  }

  /** Ids of the runs this process executes now. */
  runIds(): string[] {
    return [...this.live].flatMap((live) => (live.runId === undefined ? [] : [live.runId]));
  }

  /**
   * Stop every run in progress the way a stop signal stops `drainctl run` (each ends halted with
   * every node serving or named) and wait for them. New runs are refused from now on.
   */
  async stopAll(signal: string): Promise<void> {
    this.closing = true;
    for (const live of this.live) live.controller.abort(new Error(`received ${signal}`));
    await Promise.allSettled([...this.live].map((live) => live.done));
  }

  /**
   * Replicas: stop every run in progress at its next intent without ending it, and release its
   * leases, so another replica resumes it from the database journal; wait for them.
   */
  async handOverAll(): Promise<void> {
    this.closing = true;
    for (const live of this.live) live.handover.abort();
    await Promise.allSettled([...this.live].map((live) => live.done));
  }

  private refuseWhileClosing(): void {
    if (this.closing) {
      throw new ApiError(503, 'SHUTTING_DOWN', 'the server is shutting down: no new runs');
    }
  }

  private wiring(live: LiveRun, by: string, afterAppend: (entry: JournalEntry) => void) {
    return {
      home: this.options.home,
      environment: this.options.environment,
      env: this.options.env,
      logger: this.options.logger,
      signal: live.controller.signal,
      by,
      afterAppend,
      onDrainProgress: (event: DrainProgressEvent) => this.options.events.drainProgress(event),
      ...(this.options.pageUrl === undefined ? {} : { pageUrl: this.options.pageUrl }),
      ...(this.options.onCloudCall === undefined ? {} : { onCloudCall: this.options.onCloudCall }),
      ...(this.options.shared === undefined
        ? {}
        : { shared: this.options.shared, handover: live.handover.signal }),
    };
  }

  /**
   * Run `execute` as a live run; resolve with its id once its first entry of this session is
   * durable (the plan, or the resume), reject if it is refused before that.
   */
  private track(
    by: string,
    verb: 'started' | 'resumed',
    execute: (live: LiveRun, afterAppend: (entry: JournalEntry) => void) => Promise<RunResult>,
    runId?: string,
    beforeFirstEntry?: () => void,
  ): Promise<{ runId: string }> {
    // Checked with no await before the run joins `live`: stopAll either sees it or it is refused.
    this.refuseWhileClosing();
    const live: LiveRun = {
      controller: new AbortController(),
      handover: new AbortController(),
      done: Promise.resolve(),
    };
    const forward = this.options.events.entryHook(runId, by);
    const { logger } = this.options;
    return new Promise((resolve, reject) => {
      let picked = false;
      const afterAppend = (entry: JournalEntry) => {
        if (!picked) beforeFirstEntry?.();
        forward(entry);
        if (picked) return;
        if (entry.type === 'plan' || entry.type === 'resume') {
          picked = true;
          live.runId = entry.type === 'plan' ? entry.runId : runId;
          logger.info({ runId: live.runId, by }, `run ${live.runId} ${verb} by ${by}`);
          resolve({ runId: live.runId ?? '' });
        }
      };
      this.live.add(live);
      live.done = execute(live, afterAppend)
        .then((result) => {
          logger.info(
            { runId: result.runId, outcome: result.outcome },
            `run ${result.runId} ended ${result.outcome}`,
          );
        })
        .catch((error: unknown) => {
          if (!picked && runId !== undefined) this.options.events.forget(runId);
          if (!picked) reject(error);
          // Once it started, a failure is the run's: it is journaled, and logged here once.
          else logger.error({ err: error, runId: live.runId }, `run ${live.runId} failed`);
        })
        .finally(() => {
          this.live.delete(live);
          // Refused before its first entry without an error (cannot happen): do not hang.
          if (!picked) reject(new Error('the run ended before it started'));
        });
    });
  }
}
