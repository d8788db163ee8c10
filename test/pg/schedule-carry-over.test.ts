/**
 * With replicas, the carry-over a schedule's ended run leaves is saved under the schedule's
 * lease: while another replica holds it (looking at the schedule, about to save what it fired),
 * the carry-over waits, and once saved it has not undone that replica's save.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPostgresStorage } from '#src/adapters/postgres/postgres-storage.js';
import { parseScheduleSection } from '#src/app/schedule-section.js';
import { readEnvironment } from '#src/config/index.js';
import type { RunState } from '#src/engine/index.js';
import { createLogger } from '#src/log/index.js';
import type { ScheduleQueue } from '#src/ports/index.js';
import { RunEventHub } from '#src/serve/events/run-events.js';
import { RunRegistry } from '#src/serve/runs/run-registry.js';
import { SharedScheduleStateStore } from '#src/serve/scheduler/schedule-state.js';
import { Scheduler } from '#src/serve/scheduler/scheduler.js';
import { postgresClusterForFile } from '#support/postgres-cluster.js';

const cluster = postgresClusterForFile();

const SERVE_YAML = `tokens: [{ role: viewer }]
schedules:
  - name: patch-night
    workflow: kernel-patch
    cron: "0 2 * * 3"
    timezone: Asia/Shanghai
    windowMinutes: 120
    carryOver: true
`;

/** A run of the schedule that ended before reaching web-3. */
function endedRun(): RunState {
  return {
    startedBy: 'schedule:patch-night',
    plan: {
      nodes: [{ id: 'i-web-3' }],
      steps: [{ node: 'i-web-3', phase: 'rollout' }],
    },
    nodes: new Map([['i-web-3', { state: 'pending' }]]),
  } as unknown as RunState;
}

describe('carry-over with replicas', () => {
  it('waits for the schedule lease another replica holds, and keeps what it saved', async () => {
    const url = await cluster().createDatabase('carry_over_lease');
    const storage = await openPostgresStorage(url);
    const home = await mkdtemp(join(tmpdir(), 'drainctl-carry-'));
    try {
      const logger = createLogger({ level: 'silent' });
      const store = new SharedScheduleStateStore(storage);
      const { schedules } = parseScheduleSection('serve.yaml', SERVE_YAML);
      // The queue is never offered to: only the carry-over is exercised here.
      const queue: ScheduleQueue = {
        offer: () => Promise.resolve(),
        work: () => Promise.resolve(),
        stop: () => Promise.resolve(),
      };
      const scheduler = new Scheduler({
        schedules,
        alertGate: undefined,
        runs: new RunRegistry({
          home,
          environment: readEnvironment({}, home),
          env: {},
          cwd: home,
          logger,
          catalog: new Map(),
          events: new RunEventHub(),
          shared: storage,
        }),
        home,
        store,
        clock: {
          now: Date.now,
          monotonic: () => performance.now(),
          sleep: () => new Promise(() => {}),
        },
        tell: () => undefined,
        metrics: { setScheduleNext: () => undefined },
        logger,
        replicas: { queue, leases: storage.leases, shared: storage },
      });
      // Another replica looks at the schedule: it holds the lease and will save its firing.
      const other = await storage.leases.acquire({
        key: 'schedule:patch-night',
        runId: 'scheduler',
        host: 'other-replica',
        pid: 1,
        ttlMs: 60_000,
      });
      if (!('taken' in other)) throw new Error('lease not taken');
      const firing = await store.load('patch-night');

      scheduler.observeEntry({ type: 'done' }, endedRun());
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect((await store.load('patch-night')).carryOver).toEqual([]);

      await store.save('patch-night', { ...firing, lastFired: '2026-12-02T18:00:00.000Z' });
      await storage.leases.release(other.taken);
      await expect
        .poll(async () => (await store.load('patch-night')).carryOver, { timeout: 10_000 })
        .toEqual(['i-web-3']);
      expect((await store.load('patch-night')).lastFired).toBe('2026-12-02T18:00:00.000Z');
      scheduler.stop();
    } finally {
      await storage.close();
      await rm(home, { recursive: true, force: true });
    }
  }, 60_000);
});
