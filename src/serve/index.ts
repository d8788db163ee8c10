/**
 * `drainctl serve`: an HTTP API over the same use cases as the CLI (src/app) — start, abort and
 * resume runs from the workflows of a catalog, read runs, stream their state changes, expose
 * metrics — with bearer tokens by role. config/ reads `serve.yaml`; auth/ checks tokens and
 * roles; http/ is the server, its routes, bodies and event streams; runs/ executes runs in this
 * process; events/ turns journal entries into state changes. Schedules, notifications and the
 * alert gate plug in at the seams named in startServe's options.
 *
 * An entry point like src/cli: must not import (lint-enforced) the engine, adapters, probes,
 * the demo, the CLI or the emulator — only src/app; only `drainctl serve` loads it.
 */

import { type Clock, outOfServiceNow, type UnfinishedRun, unfinishedRuns } from '../app/index.js';
import type { DrainctlEnvironment } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { startChat } from './chat/index.js';
import { loadServeConfig, type ServeConfig } from './config/index.js';
import { RunEventHub } from './events/run-events.js';
import { type RunningApiServer, startApiServer } from './http/api-server.js';
import { EventStreams } from './http/sse.js';
import { ServeMetrics } from './metrics/serve-metrics.js';
import { RunRegistry } from './runs/run-registry.js';

export { loadServeConfig, type ServeConfig } from './config/index.js';

/**
 * Seam for notifications: given `serve.yaml`'s `notify` block and the hub every run's journal
 * entries go through (`events.observe((entry, state) => …)`), start sending and return how to
 * flush on shutdown. Nothing is sent until the notifier is wired in here.
 */
export function wireNotifications(
  _notify: ServeConfig['notify'],
  _events: RunEventHub,
  _logger: Logger,
): { close(): Promise<void> } {
  return { close: async () => undefined };
}

/**
 * Seam for the scheduler: given the validated `schedules` (and the alert gate to ask before a
 * scheduled run), start runs through `runs.start(workflow, 'schedule:<name>')` when they are due
 * and report each schedule's next occurrence with `metrics.setScheduleNext`. Returns how to stop
 * it. No schedule fires until the scheduler is wired in here.
 */
export function startScheduler(
  _config: Pick<ServeConfig, 'schedules' | 'alertGate'>,
  _runs: RunRegistry,
  _metrics: ServeMetrics,
): { stop(): void } {
  return { stop: () => undefined };
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
  /** The clock of chat requests and approvals (tests move it); default the system's. */
  clock?: Pick<Clock, 'now'>;
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
  const runs = new RunRegistry({
    home: options.home,
    environment: options.environment,
    env: options.env,
    cwd: options.cwd,
    logger: options.logger,
    catalog: config.catalog,
    events,
    onCloudCall: metrics.observeCloudCall,
  });
  const notifications = wireNotifications(config.notify, events, options.logger);
  const streams = new EventStreams(events);
  const left = await unfinishedRuns(options.home);
  let serverUrl = '';
  const chat = startChat({
    config: config.chat,
    catalog: [...config.catalog.keys()],
    env: options.env,
    home: options.home,
    runs,
    events,
    now: () => (options.clock ?? Date).now(),
    logger: options.logger,
    serverUrl: () => serverUrl,
  });
  const server: RunningApiServer = await startApiServer(
    {
      home: options.home,
      tokens: config.tokens,
      runs,
      streams,
      logger: options.logger,
      metrics: {
        text: () => metrics.text(),
        contentType: metrics.contentType,
        public: config.metricsPublic,
      },
      chat,
    },
    { host: options.host, port: options.port },
  );
  serverUrl = server.url;
  const scheduler = startScheduler(config, runs, metrics);
  return {
    url: server.url,
    config,
    unfinished: left.unfinished,
    unreadable: left.unreadable,
    metrics,
    async shutdown(signal) {
      scheduler.stop();
      const closed = server.close();
      await runs.stopAll(signal);
      // A keep-alive connection that went idle after close() would hold it open for good.
      server.dropConnections();
      await closed;
      await chat.settled();
      await notifications.close();
    },
  };
}
