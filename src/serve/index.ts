/**
 * `drainctl serve`: an HTTP API over the same use cases as the CLI (src/app) — start, abort and
 * resume runs from the workflows of a catalog, read runs, stream their state changes, expose
 * metrics — with bearer tokens by role. config/ reads `serve.yaml`; auth/ checks tokens and
 * roles; http/ is the server, its routes, bodies and event streams; runs/ executes runs in this
 * process; events/ turns journal entries into state changes; scheduler/ fires schedules;
 * notifications.ts tells serve.yaml's targets.
 *
 * An entry point like src/cli: must not import (lint-enforced) the engine, adapters, probes,
 * the demo, the CLI or the emulator — only src/app; only `drainctl serve` loads it.
 */

import {
  openReplicaStorage,
  outOfServiceNow,
  type ReplicaStorage,
  systemClock,
  type UnfinishedRun,
  unfinishedRuns,
} from '../app/index.js';
import type { DrainctlEnvironment } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { Clock, NotifyEvent } from '../ports/index.js';
import { startChat } from './chat/index.js';
import { loadServeConfig, type ServeConfig } from './config/index.js';
import { RunEventHub } from './events/run-events.js';
import { type RunningApiServer, startApiServer } from './http/api-server.js';
import { EventStreams } from './http/sse.js';
import { ServeMetrics } from './metrics/serve-metrics.js';
import { type ServeNotifications, serveNotifications } from './notifications.js';
import { RunRegistry } from './runs/run-registry.js';
import { startTakeover } from './runs/takeover.js';
import { JsonScheduleStateStore, SharedScheduleStateStore } from './scheduler/schedule-state.js';
import { Scheduler } from './scheduler/scheduler.js';
import { schedulerClockFromEnv } from './scheduler/test-clock.js';

export { loadServeConfig, type ServeConfig } from './config/index.js';

/**
 * Notifications: serve.yaml's `notify` targets hear every run's events through the hub every
 * run's journal entries go through, and the scheduler's decisions through `notify`.
 */
export function wireNotifications(
  notify: ServeConfig['notify'],
  events: RunEventHub,
  logger: Logger,
  options: { clock?: Clock; pageUrl?: (runId: string) => string } = {},
): ServeNotifications {
  return serveNotifications(notify, events, { logger, ...options });
}

/**
 * The scheduler: starts runs through `runs` when schedules are due, tells `tell` what it
 * decides and sets `drainctl_schedule_next_run_timestamp_seconds`. Stopped by `stop`.
 */
export function startScheduler(
  config: Pick<ServeConfig, 'schedules' | 'alertGate'>,
  runs: RunRegistry,
  metrics: ServeMetrics,
  options: {
    home: string;
    clock: Clock;
    logger: Logger;
    events: RunEventHub;
    tell(event: NotifyEvent): void;
    unfinished: readonly UnfinishedRun[];
    /** Replicas on a database: schedule state there, schedules worked through its queue. */
    replicas?: ReplicaStorage;
  },
): Scheduler {
  const { replicas } = options;
  const scheduler = new Scheduler({
    schedules: config.schedules,
    alertGate: config.alertGate,
    runs,
    home: options.home,
    store:
      replicas === undefined
        ? new JsonScheduleStateStore(options.home)
        : new SharedScheduleStateStore(replicas.shared),
    ...(replicas === undefined
      ? {}
      : {
          replicas: {
            queue: replicas.queue,
            leases: replicas.shared.leases,
            shared: replicas.shared,
          },
        }),
    clock: options.clock,
    tell: options.tell,
    metrics,
    logger: options.logger,
  });
  options.events.observe(scheduler.observeEntry);
  if (config.schedules.length > 0) scheduler.start(options.unfinished);
  return scheduler;
}

export interface ServeOptions {
  /** Path of serve.yaml. */
  configFile: string;
  host: string;
  port: number;
  home: string;
  environment: DrainctlEnvironment;
  env: NodeJS.ProcessEnv;
  cwd: string;
  logger: Logger;
  /** What the scheduler ticks on and chat requests and approvals are timed by (tests move it); default the system clock. */
  clock?: Clock;
  /** Replicas: how often runs no replica holds are looked for (default 5 s). */
  takeoverEveryMs?: number;
}

export interface RunningServe {
  url: string;
  config: ServeConfig;
  /** Runs left unfinished in DRAINCTL_HOME when the server started (never resumed by it). */
  unfinished: UnfinishedRun[];
  /** Journals that could not be read when it started. */
  unreadable: Array<{ runId: string; problem: string }>;
  /** The scheduler's seam for `drainctl_schedule_next_run_timestamp_seconds`: `setScheduleNext`. */
  metrics: ServeMetrics;
  /** The schedules' runtime (`tick` for tests that move the clock). */
  scheduler: Scheduler;
  /**
   * Stop accepting requests, stop every run in progress as a stop signal stops `drainctl run`
   * (each ends with every node serving or named), and wait for them.
   */
  shutdown(signal: string): Promise<void>;
}

export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const config = await loadServeConfig(options.configFile, options.env);
  const events = new RunEventHub();
  const metrics = new ServeMetrics(() => outOfServiceNow().length);
  events.observe(metrics.observeEntry);
  const pageUrl =
    config.publicUrl === undefined
      ? undefined
      : (runId: string) => `${config.publicUrl?.replace(/\/+$/, '')}/runs/${runId}`;
  const clock = options.clock ?? schedulerClockFromEnv(options.env, systemClock) ?? systemClock;
  const replicas = await openReplicaStorage(options.env, options.logger);
  const runs = new RunRegistry({
    ...(replicas === undefined ? {} : { shared: replicas.shared }),
    home: options.home,
    environment: options.environment,
    env: options.env,
    cwd: options.cwd,
    logger: options.logger,
    catalog: config.catalog,
    events,
    onCloudCall: metrics.observeCloudCall,
    notifyTargets: config.notify?.channels ?? [],
    ...(pageUrl === undefined ? {} : { pageUrl }),
  });
  // Signatures carry the real time (receivers refuse stale ones), whatever the scheduler ticks on.
  const notifications = wireNotifications(config.notify, events, options.logger, {
    ...(pageUrl === undefined ? {} : { pageUrl }),
  });
  const streams = new EventStreams(events);
  const left = await unfinishedRuns(options.home, replicas?.shared);
  const scheduler = startScheduler(config, runs, metrics, {
    home: options.home,
    clock,
    logger: options.logger,
    events,
    tell: notifications.notify,
    unfinished: left.unfinished,
    ...(replicas === undefined ? {} : { replicas }),
  });
  const takeover =
    replicas === undefined
      ? undefined
      : startTakeover(runs, replicas.shared, {
          home: options.home,
          logger: options.logger,
          ...(options.takeoverEveryMs === undefined ? {} : { everyMs: options.takeoverEveryMs }),
        });
  let serverUrl = '';
  const chat = await stopSchedulerOnThrow(scheduler, () =>
    startChat({
      config: config.chat,
      catalog: [...config.catalog.keys()],
      env: options.env,
      home: options.home,
      runs,
      events,
      now: () => clock.now(),
      logger: options.logger,
      serverUrl: () => serverUrl,
      ...(replicas === undefined ? {} : { shared: replicas.shared }),
    }),
  );
  const server: RunningApiServer = await startApiServer(
    {
      home: options.home,
      ...(replicas === undefined ? {} : { shared: replicas.shared }),
      tokens: config.tokens,
      runs,
      streams,
      logger: options.logger,
      metrics: {
        text: () => metrics.text(),
        contentType: metrics.contentType,
        public: config.metricsPublic,
      },
      schedules: scheduler,
      chat,
    },
    { host: options.host, port: options.port },
  ).catch(async (error: unknown) => {
    scheduler.stop();
    takeover?.stop();
    await replicas?.close().catch(() => undefined);
    throw error;
  });
  serverUrl = server.url;
  try {
    await chat.connect();
  } catch (error) {
    scheduler.stop();
    await chat.disconnect();
    await server.close();
    throw error;
  }
  return {
    url: server.url,
    config,
    unfinished: left.unfinished,
    unreadable: left.unreadable,
    metrics,
    scheduler,
    async shutdown(signal) {
      scheduler.stop();
      takeover?.stop();
      const closed = server.close();
      // Nothing new from the long connections either; commands already taken still finish.
      await chat.disconnect();
      // With replicas a run is handed over (another continues it), else stopped safely here.
      if (replicas === undefined) await runs.stopAll(signal);
      else await runs.handOverAll();
      // A keep-alive connection that went idle after close() would hold it open for good.
      server.dropConnections();
      await closed;
      await chat.settled();
      await notifications.close();
      await replicas?.close();
    },
  };
}

/** A start-up step that throws (a half-set platform, exit 3) leaves no scheduler ticking. */
function stopSchedulerOnThrow<T>(scheduler: Scheduler, step: () => Promise<T>): Promise<T> {
  return step().catch((error: unknown) => {
    scheduler.stop();
    throw error;
  });
}
