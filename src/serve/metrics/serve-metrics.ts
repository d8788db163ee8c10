/**
 * The Prometheus metrics of `drainctl serve` (prom-client, its own registry): runs and their
 * outcomes, drain durations and the time of each workflow's last success, read from journal
 * entries as the event hub folds them; nodes out of service now, from the runs this process
 * executes; every cloud request's answer, from the adapters' call observer; the next run of each
 * schedule, set by the scheduler; and the process's default metrics.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type JournalEntry, type RunState, recoveryOf } from '../../app/index.js';
import type { CloudCallEvent } from '../../ports/index.js';

/** Seconds: a drain is quick behind idle traffic and may take the whole timeout behind a stream. */
const DRAIN_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];
/** Seconds: a drain put back takes seconds, a patch rolled back a reboot and a ramp, minutes. */
const RECOVERY_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];

export class ServeMetrics {
  readonly registry = new Registry();
  private readonly runs = new Counter({
    name: 'drainctl_runs_total',
    help: 'Runs that ended, by workflow name and outcome (completed, halted, failed).',
    labelNames: ['workflow', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly lastSuccess = new Gauge({
    name: 'drainctl_last_successful_run_timestamp_seconds',
    help: 'When the last run of the workflow completed (Unix time).',
    labelNames: ['workflow'] as const,
    registers: [this.registry],
  });
  private readonly drain = new Histogram({
    name: 'drainctl_drain_seconds',
    help: 'From a node starting its drain to its drain being proven (seconds).',
    buckets: DRAIN_BUCKETS,
    registers: [this.registry],
  });
  private readonly recovery = new Histogram({
    name: 'drainctl_recovery_seconds',
    help: 'From a node failure being detected to the node serving again (rolled back), in seconds.',
    buckets: RECOVERY_BUCKETS,
    registers: [this.registry],
  });
  private readonly calls = new Counter({
    name: 'drainctl_cloud_api_calls_total',
    help: 'Cloud API requests sent, by action and answer (OK or the error code).',
    labelNames: ['action', 'code'] as const,
    registers: [this.registry],
  });
  private readonly throttled = new Counter({
    name: 'drainctl_cloud_api_throttled_total',
    help: 'Cloud API requests refused for the rate limit (Throttling codes), by action.',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });
  private readonly scheduleNext = new Gauge({
    name: 'drainctl_schedule_next_run_timestamp_seconds',
    help: 'When the schedule runs next (Unix time).',
    labelNames: ['schedule'] as const,
    registers: [this.registry],
  });

  constructor(outOfServiceNow: () => number) {
    new Gauge({
      name: 'drainctl_nodes_out_of_service',
      help: 'Nodes the runs of this server have taken out of service and not yet put back or named.',
      registers: [this.registry],
      collect() {
        this.set(outOfServiceNow());
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Each journal entry with its run's state after it (RunEventHub.observe). */
  readonly observeEntry = (entry: JournalEntry, state: RunState): void => {
    const workflow = state.plan.workflow.name;
    if (entry.type === 'done') {
      this.runs.inc({ workflow, outcome: entry.outcome });
      if (entry.outcome === 'completed') {
        this.lastSuccess.set({ workflow }, Date.parse(entry.ts) / 1000);
      }
    }
    if (entry.type === 'node-state' && entry.from === 'draining' && entry.state === 'drained') {
      const node = state.nodes.get(entry.node);
      const began = node?.timeline.findLast((step) => step.state === 'draining')?.at;
      if (began !== undefined)
        this.drain.observe((Date.parse(entry.ts) - Date.parse(began)) / 1000);
    }
    if (entry.type === 'node-state' && entry.state === 'rolled-back') {
      const seconds = recoveryOf(state, entry.node)?.seconds;
      if (seconds !== undefined) this.recovery.observe(seconds);
    }
  };

  /** Every cloud request's answer (the adapters' call observer). */
  readonly observeCloudCall = (event: CloudCallEvent): void => {
    this.calls.inc({ action: event.action, code: event.code });
    if (event.throttled) this.throttled.inc({ action: event.action });
  };

  /** The scheduler's seam: when `schedule` runs next (undefined: it has no next occurrence). */
  setScheduleNext(schedule: string, at: Date | undefined): void {
    if (at === undefined) this.scheduleNext.remove({ schedule });
    else this.scheduleNext.set({ schedule }, at.getTime() / 1000);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
