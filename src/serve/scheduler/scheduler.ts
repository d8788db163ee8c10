/**
 * The scheduler of `drainctl serve`: on every tick of the injected clock, each schedule's due
 * occurrence (src/schedule decides which, and whether a missed one still runs) goes through, in
 * this order: blackout (skipped), a run in progress on its balancer (skipped), the alert gate
 * (waits within the window, asking again), the plan (its sha256 must be the one last approved
 * for the schedule, else it waits for `approve`), then the run — through the same use case as
 * `POST /api/runs`, started by `schedule:<name>`, with its drains ending when the window closes.
 * Every skip and wait is told; what must survive a restart is in the ScheduleStateStore.
 */

import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { type AlertGate, checkAlertGate } from '../../alert-gate/index.js';
import {
  planWithFirst,
  type RunState,
  type RunStatus,
  recentRuns,
  runStatus,
  type UnfinishedRun,
} from '../../app/index.js';
import { DrainctlError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import type {
  Clock,
  LeaseStore,
  NotifyEvent,
  ScheduleQueue,
  SharedStorage,
} from '../../ports/index.js';
import {
  dueOccurrence,
  nextOccurrences,
  type Occurrence,
  ON_TIME_MS,
  openOccurrence,
  type Schedule,
  windowClosesAt,
} from '../../schedule/index.js';
import { ApiError } from '../http/api-error.js';
import type { RunRegistry } from '../runs/run-registry.js';
import type { ScheduleState, ScheduleStateStore } from './schedule-state.js';
import { startUpResume } from './start-up-resume.js';

/** How often due occurrences are looked for: well inside cron's one-minute resolution. */
export const SCHEDULER_TICK_MS = 5_000;
/** How many occurrences `GET /api/schedules` shows, and how far `setScheduleNext` looks. */
const SHOWN = 5;
const LOOK_AHEAD = 50;

export interface SchedulerOptions {
  schedules: readonly Schedule[];
  alertGate: AlertGate | undefined;
  runs: RunRegistry;
  home: string;
  store: ScheduleStateStore;
  clock: Clock;
  /** Hand an event to serve.yaml's notification targets. */
  tell(event: NotifyEvent): void;
  metrics: { setScheduleNext(schedule: string, at: Date | undefined): void };
  logger: Logger;
  tickMs?: number;
  /**
   * Replicas (DRAINCTL_DATABASE_URL): ticks offer each schedule to the job engine's queue, and
   * the one replica given the job looks at the schedule, under the schedule's lease.
   */
  replicas?: { queue: ScheduleQueue; leases: LeaseStore; shared: SharedStorage };
}

/** How long a replica may look at one schedule before another may (planning included). */
const SCHEDULE_LEASE_MS = 120_000;
/** How often a change of a schedule's state asks again for the lease another replica holds. */
const LEASE_RETRY_MS = 500;
/** How long an approval over the API waits for the schedule's lease before it is refused. */
const APPROVAL_LEASE_WAIT_MS = 10_000;

/** Who a schedule's runs are started by, as journaled. */
export function scheduleRequester(name: string): string {
  return `schedule:${name}`;
}

export class Scheduler {
  private serial: Promise<unknown> = Promise.resolve();
  private readonly stopping = new AbortController();
  /** Monotonic time the alert gate may be asked again, per schedule. */
  private readonly gateAskedAt = new Map<string, number>();

  constructor(private readonly options: SchedulerOptions) {}

  /** Tick until `stop`; runs left by a crash are resumed first where a schedule says so. */
  start(unfinished: readonly UnfinishedRun[]): void {
    const loop = async () => {
      await this.options.replicas?.queue.work((name) => this.workOffered(name));
      await this.resumeUnfinished(unfinished);
      while (!this.stopping.signal.aborted) {
        await this.tick();
        await this.options.clock
          .sleep(this.options.tickMs ?? SCHEDULER_TICK_MS, this.stopping.signal)
          .catch(() => undefined);
      }
    };
    loop().catch((error: unknown) =>
      this.options.logger.error({ err: error }, 'the scheduler stopped'),
    );
  }

  stop(): void {
    this.stopping.abort();
  }

  /** Look at every schedule once (the loop calls it; tests call it with their clock set). */
  tick(): Promise<void> {
    const { replicas } = this.options;
    if (replicas !== undefined) return this.offerAll(replicas.queue);
    return this.exclusive(async () => {
      for (const schedule of this.options.schedules) await this.lookAt(schedule);
    });
  }

  /** Every replica offers every schedule; the replicas' offers of one tick are one job. */
  private async offerAll(queue: ScheduleQueue): Promise<void> {
    const tick = Math.floor(this.options.clock.now() / (this.options.tickMs ?? SCHEDULER_TICK_MS));
    for (const schedule of this.options.schedules) {
      await queue
        .offer(schedule.name, tick)
        .catch((error: unknown) =>
          this.options.logger.warn(
            { err: error, schedule: schedule.name },
            `schedule ${schedule.name}: not offered to the queue: ${describe(error)}`,
          ),
        );
      this.options.metrics.setScheduleNext(schedule.name, this.nextRun(schedule));
    }
  }

  /**
   * The job for a schedule, on the replica that got it. Under the schedule's lease: two jobs of
   * one schedule (ticks of replicas whose clocks differ) never look at it at once, so the
   * occurrence recorded as fired by one is never fired by the other.
   */
  private async workOffered(name: string): Promise<void> {
    const schedule = this.options.schedules.find((s) => s.name === name);
    if (schedule === undefined || this.options.replicas === undefined) return;
    // Another replica looking at it right now: this job is that look's duplicate.
    await this.underLease(schedule, () => this.lookAt(schedule), 0);
  }

  /**
   * Work on a schedule's state one at a time in this process and, with replicas, under the
   * schedule's lease, so a save on one replica never undoes another's (a carry-over written while
   * another replica fires the schedule). Waits up to `waitMs` for a lease another holds; resolves
   * `{ done }`, or undefined when it did not get the lease.
   */
  private async underLease<T>(
    schedule: Schedule,
    task: () => Promise<T>,
    waitMs: number,
  ): Promise<{ done: T } | undefined> {
    const replicas = this.options.replicas;
    if (replicas === undefined) return { done: await this.exclusive(task) };
    // Real time, not the scheduler's clock (which tests set and compress): the lease's term is
    // the database's.
    const giveUpAt = performance.now() + waitMs;
    for (;;) {
      const answer = await replicas.leases.acquire({
        key: `schedule:${schedule.name}`,
        runId: 'scheduler',
        host: hostname(),
        pid: process.pid,
        ttlMs: SCHEDULE_LEASE_MS,
      });
      if ('taken' in answer) {
        try {
          return { done: await this.exclusive(task) };
        } finally {
          await replicas.leases.release(answer.taken);
        }
      }
      if (performance.now() >= giveUpAt || this.stopping.signal.aborted) return undefined;
      await delay(LEASE_RETRY_MS, undefined, { signal: this.stopping.signal }).catch(
        () => undefined,
      );
    }
  }

  private async lookAt(schedule: Schedule): Promise<void> {
    try {
      await this.tickSchedule(schedule);
      this.troubles.delete(schedule.name);
    } catch (error) {
      // One schedule's trouble (an unreadable state file) must not stop the others.
      this.options.logger.error(
        { err: error, schedule: schedule.name },
        `schedule ${schedule.name}: ${describe(error)}`,
      );
      // Told once (not every tick), and shown by /api/schedules until it is gone.
      const trouble = describe(error);
      if (this.troubles.get(schedule.name) !== trouble) {
        this.troubles.set(schedule.name, trouble);
        this.skip(schedule, 'error', `the schedule is stopped: ${trouble}`);
      }
    }
    this.options.metrics.setScheduleNext(schedule.name, this.nextRun(schedule));
  }

  /**
   * An approver's word on the plan a schedule waits with: it must name that plan's sha256 (a
   * plan seen in a notification, not whatever the next planning would make).
   */
  async approve(
    name: string,
    planSha256: string,
    by: string,
  ): Promise<{ schedule: string; planSha256: string; by: string }> {
    const schedule = this.schedule(name);
    const decided = await this.underLease(
      schedule,
      async () => {
        const state = await this.options.store.load(schedule.name);
        const waiting = state.waiting;
        if (waiting?.on !== 'approval' || waiting.planSha256 === undefined) {
          throw new ApiError(409, 'NOTHING_TO_APPROVE', `schedule ${name} waits for no approval`);
        }
        if (waiting.planSha256 !== planSha256) {
          throw new ApiError(409, 'PLAN_SHA_MISMATCH', `schedule ${name} waits with another plan`, {
            path: 'planSha256',
            expected: waiting.planSha256,
            found: planSha256,
          });
        }
        state.approved = { planSha256, by, at: new Date(this.options.clock.now()).toISOString() };
        await this.options.store.save(schedule.name, state);
        this.options.logger.info(
          { schedule: name, planSha256, by },
          `schedule ${name}: plan ${planSha256} approved by ${by}`,
        );
      },
      APPROVAL_LEASE_WAIT_MS,
    );
    if (decided === undefined) {
      throw new ApiError(
        409,
        'SCHEDULE_BUSY',
        `schedule ${name} is being looked at by another replica; approve again in a moment`,
      );
    }
    // The run starts on this tick, not the next one, while its window is open.
    this.tick().catch(() => undefined);
    return { schedule: name, planSha256, by };
  }

  /** Each schedule's trouble that stops it (an unreadable state file), as last told. */
  private readonly troubles = new Map<string, string>();

  /**
   * Every schedule with its next occurrences, its last firing and its approval; a schedule whose
   * state cannot be read is listed with `trouble` instead.
   */
  async describe(): Promise<unknown[]> {
    const now = new Date(this.options.clock.now());
    const described: unknown[] = [];
    for (const schedule of this.options.schedules) {
      let state: ScheduleState;
      try {
        state = await this.options.store.load(schedule.name);
      } catch (error) {
        described.push({
          name: schedule.name,
          workflow: schedule.workflow,
          cron: schedule.cron,
          timezone: schedule.timezone,
          trouble: describe(error),
        });
        continue;
      }
      described.push({
        name: schedule.name,
        workflow: schedule.workflow,
        cron: schedule.cron,
        timezone: schedule.timezone,
        windowMinutes: schedule.windowMinutes,
        missed: schedule.missed,
        carryOver: schedule.carryOver,
        next: nextOccurrences(schedule, now, SHOWN).map((o) => ({
          local: o.local,
          utc: o.utc,
          ...(o.blackout === undefined ? {} : { blackout: o.blackout }),
        })),
        ...(state.lastFired === undefined ? {} : { lastFired: state.lastFired }),
        ...(state.lastRun === undefined ? {} : { lastRun: state.lastRun }),
        approval: {
          ...(state.approved === undefined ? {} : { approved: state.approved }),
          ...(state.waiting?.on === 'approval' ? { waitingFor: state.waiting.planSha256 } : {}),
        },
        ...(state.waiting === undefined ? {} : { waiting: state.waiting }),
        carriedOver: state.carryOver,
      });
    }
    return described;
  }

  /**
   * Told of every journal entry (RunEventHub.observe): when a schedule's run ends, the servers
   * it did not reach are what it carries over (none after a run that reached them all).
   */
  readonly observeEntry = (entry: { type: string }, state: RunState): void => {
    if (entry.type !== 'done') return;
    const schedule = this.options.schedules.find(
      (s) => scheduleRequester(s.name) === state.startedBy,
    );
    if (schedule === undefined) return;
    const notReached = notReachedNodes(state);
    const kept = this.underLease(
      schedule,
      async () => {
        const saved = await this.options.store.load(schedule.name);
        saved.carryOver = schedule.carryOver ? notReached : [];
        await this.options.store.save(schedule.name, saved);
      },
      SCHEDULE_LEASE_MS,
    );
    kept
      .then((done) => {
        if (done !== undefined) return;
        this.options.logger.error(
          { schedule: schedule.name },
          `schedule ${schedule.name}: carry-over not kept: its lease stayed with another replica`,
        );
      })
      .catch((error: unknown) =>
        this.options.logger.error({ err: error }, `schedule ${schedule.name}: carry-over not kept`),
      );
  };

  private async tickSchedule(schedule: Schedule): Promise<void> {
    const { store, clock } = this.options;
    const state = await store.load(schedule.name);
    const now = new Date(clock.now());
    if (state.starting !== undefined) {
      const { occurrence } = state.starting;
      delete state.starting;
      await store.save(schedule.name, state);
      this.skip(
        schedule,
        'error',
        `the server stopped while the run of the occurrence at ${occurrence} was starting; it is not started again (an unfinished run is listed by GET /api/runs)`,
      );
    }
    if (state.waiting !== undefined) {
      const occurrence = { at: new Date(state.waiting.occurrence) };
      if (now.getTime() >= Date.parse(state.waiting.until)) {
        const on = state.waiting.on;
        this.skip(
          schedule,
          on === 'approval' ? 'plan-changed' : 'alert-gate',
          `the window closed at ${state.waiting.until} while it waited for ${on === 'approval' ? `approval of plan ${state.waiting.planSha256}` : `the alert gate (${state.waiting.reason})`}`,
        );
        delete state.waiting;
        await store.save(schedule.name, state);
        return;
      }
      if (
        state.waiting.on === 'approval' &&
        state.approved?.planSha256 !== state.waiting.planSha256
      )
        return;
      await this.proceed(schedule, state, occurrence);
      return;
    }
    const due = dueOccurrence(schedule, {
      now,
      ...(state.lastFired === undefined ? {} : { lastFired: new Date(state.lastFired) }),
    });
    if (due === undefined) {
      await this.noteMissed(schedule, state, now);
      return;
    }
    // Recorded first: whatever happens next, this occurrence never fires again.
    state.lastFired = due.occurrence.utc;
    await store.save(schedule.name, state);
    if (due.occurrence.blackout !== undefined) {
      this.skip(schedule, 'blackout', `${due.occurrence.local}: ${due.occurrence.blackout}`);
      return;
    }
    await this.proceed(schedule, state, due.occurrence);
  }

  /** From the overlap check on: the steps an occurrence (new or waiting) goes through. */
  private async proceed(
    schedule: Schedule,
    state: ScheduleState,
    occurrence: Pick<Occurrence, 'at'>,
  ): Promise<void> {
    const { store, runs } = this.options;
    const until = windowClosesAt(schedule, occurrence);
    const overlap = await this.runInProgress(schedule);
    if (overlap !== undefined) {
      delete state.waiting;
      await store.save(schedule.name, state);
      this.skip(
        schedule,
        'overlap',
        `run ${overlap.runId} (${overlap.report.workflow}) is in progress on the same balancer`,
      );
      return;
    }
    {
      const blocked = await this.alertGateBlocks(schedule, state);
      if (blocked !== undefined) {
        const first = state.waiting?.on !== 'alert-gate';
        state.waiting = {
          occurrence: occurrence.at.toISOString(),
          until: until.toISOString(),
          on: 'alert-gate',
          reason: blocked,
        };
        await store.save(schedule.name, state);
        if (first)
          this.tell(schedule, {
            kind: 'alert-gate-blocking',
            reason: `${blocked}; waiting until ${until.toISOString()} at the latest`,
          });
        return;
      }
    }
    let planned: Awaited<ReturnType<RunRegistry['planCatalog']>>;
    try {
      planned = await runs.planCatalog(schedule.workflow);
    } catch (error) {
      delete state.waiting;
      await store.save(schedule.name, state);
      this.skip(schedule, 'error', `the workflow could not be planned: ${describe(error)}`);
      return;
    }
    const sha = planned.plan.sha256;
    const tellPlanned = () =>
      this.tell(schedule, {
        kind: 'planned',
        planSha256: sha,
        nodes: planned.plan.nodes.map((n) => n.name),
        schedule: schedule.name,
      });
    if (state.approved?.planSha256 !== sha) {
      if (state.waiting?.on !== 'approval') tellPlanned();
      const already = state.waiting?.on === 'approval' && state.waiting.planSha256 === sha;
      state.waiting = {
        occurrence: occurrence.at.toISOString(),
        until: until.toISOString(),
        on: 'approval',
        planSha256: sha,
      };
      await store.save(schedule.name, state);
      if (!already) {
        this.tell(schedule, {
          kind: 'approval-needed',
          schedule: schedule.name,
          planSha256: sha,
          ...(state.approved === undefined ? {} : { approvedSha256: state.approved.planSha256 }),
        });
      }
      return;
    }
    const approved = state.approved;
    const plan = schedule.carryOver
      ? planWithFirst(planned.plan, planned.workflow, state.carryOver)
      : planned.plan;
    // After an approval wait, `planned` was told before `approval-needed`.
    const plannedTold = state.waiting?.on === 'approval';
    delete state.waiting;
    // Recorded before the start: a crash before it resolves must not start this occurrence again.
    state.starting = {
      occurrence: occurrence.at.toISOString(),
      at: new Date(this.options.clock.now()).toISOString(),
    };
    await store.save(schedule.name, state);
    const start = (newRun: boolean) =>
      runs.startPlanned(
        { plan, workflow: planned.workflow },
        scheduleRequester(schedule.name),
        // Told only once the run holds its lock: a night skipped for a lock was never planned.
        {
          newRun,
          drainsEndAt: until.toISOString(),
          approval: { schedule: schedule.name, ...approved },
          beforeFirstEntry: plannedTold ? () => undefined : tellPlanned,
        },
      );
    try {
      const { runId } = await start(false).catch((error: unknown) => {
        if (!setAsideOwnHalt(error, state)) throw error;
        return start(true);
      });
      state.lastRun = { runId, occurrence: occurrence.at.toISOString() };
    } catch (error) {
      const code = error instanceof DrainctlError ? error.code : undefined;
      if (code === 'LOCK_HELD' || code === 'UNFINISHED_RUN') {
        this.skip(schedule, 'overlap', describe(error));
      } else {
        this.skip(schedule, 'error', `the run could not start: ${describe(error)}`);
      }
    }
    delete state.starting;
    await store.save(schedule.name, state);
  }

  /** A missed occurrence that `missed: skip` lets pass is still told, once. */
  private async noteMissed(schedule: Schedule, state: ScheduleState, now: Date): Promise<void> {
    if (schedule.missed !== 'skip') return;
    const open = openOccurrence(schedule, now);
    if (open === undefined || now.getTime() - open.at.getTime() <= ON_TIME_MS) return;
    if (state.lastFired !== undefined && open.at.getTime() <= Date.parse(state.lastFired)) return;
    state.lastFired = open.utc;
    await this.options.store.save(schedule.name, state);
    this.skip(schedule, 'missed', `${open.local} passed while the server was down (missed: skip)`);
  }

  /** The alert gate's reason to hold the schedule, asked at most every `pollSeconds`. */
  private async alertGateBlocks(
    schedule: Schedule,
    state: ScheduleState,
  ): Promise<string | undefined> {
    const gate = this.options.alertGate;
    if (gate === undefined) return undefined;
    const next = this.gateAskedAt.get(schedule.name);
    const now = this.options.clock.monotonic();
    if (state.waiting?.on === 'alert-gate' && next !== undefined && now < next)
      return state.waiting.reason ?? 'blocked';
    this.gateAskedAt.set(schedule.name, now + gate.pollSeconds * 1000);
    const verdict = await checkAlertGate(gate, { signal: this.stopping.signal });
    return verdict.blocked ? verdict.reason : undefined;
  }

  /** A run being executed now on the balancer (or of the workflow) this schedule runs. */
  private async runInProgress(schedule: Schedule): Promise<RunStatus | undefined> {
    const workflow = await this.options.runs.catalogWorkflow(schedule.workflow);
    const shared = this.options.replicas?.shared;
    const running = (await recentRuns(this.options.home, 50, shared)).filter((run) => run.running);
    return running.find(
      (run) =>
        run.report.workflow === workflow.spec.name ||
        (workflow.spec.loadBalancer.id !== undefined &&
          run.report.loadBalancerId === workflow.spec.loadBalancer.id),
    );
  }

  private async resumeUnfinished(unfinished: readonly UnfinishedRun[]): Promise<void> {
    for (const run of unfinished) {
      try {
        const shared = this.options.replicas?.shared;
        const status = await runStatus({
          home: this.options.home,
          runId: run.runId,
          ...(shared === undefined ? {} : { shared }),
        });
        const schedule = this.options.schedules.find(
          (s) => scheduleRequester(s.name) === status.state.startedBy,
        );
        if (schedule === undefined) continue;
        const verdict = startUpResume(status, schedule.resumeUnfinished);
        if (!verdict.resume) {
          if (schedule.resumeUnfinished === true) {
            this.options.logger.info(
              { runId: run.runId, schedule: schedule.name },
              `run ${run.runId} of schedule ${schedule.name} not resumed on start: ${verdict.why}`,
            );
          }
          continue;
        }
        await this.options.runs.resume(run.runId, scheduleRequester(schedule.name));
      } catch (error) {
        this.options.logger.error(
          { err: error, runId: run.runId },
          `run ${run.runId} not resumed: ${describe(error)}`,
        );
      }
    }
  }

  private nextRun(schedule: Schedule): Date | undefined {
    const now = new Date(this.options.clock.now());
    return nextOccurrences(schedule, now, LOOK_AHEAD).find((o) => o.blackout === undefined)?.at;
  }

  private skip(
    schedule: Schedule,
    reason: Extract<NotifyEvent, { kind: 'schedule-skipped' }>['reason'],
    detail: string,
  ): void {
    this.options.logger.warn(
      { schedule: schedule.name, reason },
      `schedule ${schedule.name} skipped (${reason}): ${detail}`,
    );
    this.tell(schedule, { kind: 'schedule-skipped', schedule: schedule.name, reason, detail });
  }

  private tell(schedule: Schedule, event: DistributiveOmit<NotifyEvent, 'workflow' | 'at'>): void {
    this.options.tell({
      ...event,
      workflow: schedule.workflow,
      at: new Date(this.options.clock.now()).toISOString(),
    } as NotifyEvent);
  }

  private schedule(name: string): Schedule {
    const found = this.options.schedules.find((s) => s.name === name);
    if (found === undefined) throw new ApiError(404, 'UNKNOWN_SCHEDULE', `no schedule "${name}"`);
    return found;
  }

  /** One at a time: ticks, approvals and carry-overs read and write the same state. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.serial.then(task, task);
    this.serial = run.catch(() => undefined);
    return run;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * The schedule's own last run halted with every server serving (its window closed): the next
 * night is a new run that takes the servers it did not reach first, not a resume of it (which
 * would halt at once, its window long closed). Any other unfinished run stays in the way.
 */
function setAsideOwnHalt(error: unknown, state: ScheduleState): boolean {
  if (!(error instanceof DrainctlError) || error.code !== 'UNFINISHED_RUN') return false;
  const run = (error as DrainctlError & { run?: UnfinishedRun }).run;
  return (
    run !== undefined &&
    run.runId === state.lastRun?.runId &&
    run.state === 'halted' &&
    run.nodesOut.length === 0
  );
}

/** Servers with a rollout of their own that the run never began. */
function notReachedNodes(state: RunState): string[] {
  return state.plan.nodes
    .filter(
      (node) =>
        state.nodes.get(node.id)?.state === 'pending' &&
        state.plan.steps.some((step) => step.node === node.id && step.phase === 'rollout'),
    )
    .map((node) => node.id);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
