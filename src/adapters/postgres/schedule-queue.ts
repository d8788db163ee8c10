/**
 * The schedule queue on pg-boss 10 (the last major that runs on Node 20; see docs/design.md).
 * A job's id is derived from the schedule and the tick, so the replicas' offers of one tick are
 * one row (pg-boss inserts with ON CONFLICT DO NOTHING), and pg-boss hands each job to one
 * worker (SELECT … FOR UPDATE SKIP LOCKED).
 */
import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { ScheduleQueue } from '../../ports/index.js';

const QUEUE = 'drainctl-schedule';

export interface ScheduleQueueOptions {
  /** Told of pg-boss's own errors (a lost connection while it polls); it carries on. */
  onError?: (error: Error) => void;
  /** How often an idle worker asks for a job (pg-boss's minimum is 0.5 s). */
  pollSeconds?: number;
}

export async function openScheduleQueue(
  url: string,
  options: ScheduleQueueOptions = {},
): Promise<ScheduleQueue> {
  // pg-boss migrates its own schema under its own advisory lock.
  const boss = new PgBoss({ connectionString: url, schema: 'drainctl_jobs', max: 3 });
  boss.on('error', (error: Error) => options.onError?.(error));
  await boss.start();
  await boss.createQueue(QUEUE, { name: QUEUE, policy: 'standard', retryLimit: 0 });
  return {
    async offer(schedule, tick) {
      await boss.send(QUEUE, { schedule }, { id: jobId(`${schedule}@${tick}`), retryLimit: 0 });
    },
    async work(handler) {
      await boss.work<{ schedule: string }>(
        QUEUE,
        { pollingIntervalSeconds: options.pollSeconds ?? 0.5, batchSize: 1 },
        async (jobs) => {
          for (const job of jobs) await handler(job.data.schedule);
        },
      );
    },
    async stop() {
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}

/** A UUID (the job table's id type) every replica derives alike from `key`. */
function jobId(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
