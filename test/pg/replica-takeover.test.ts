/**
 * Replicas of `drainctl serve` (real processes) on one PostgreSQL database. kill -9 of the one
 * running a night while a server is at weight 0: the other takes the run over once the lease
 * expires (within 40 s), resumes it from the database journal and finishes it, leaving the
 * fleet as an uninterrupted run does. SIGTERM of the one running a night hands it over at once.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStorage } from '#src/adapters/postgres/postgres-storage.js';
import type { SharedStorage } from '#src/ports/index.js';
import {
  POSTGRES_MISSING,
  type PostgresCluster,
  postgresBinDir,
  startPostgresCluster,
} from '#support/postgres-cluster.js';
import { endState, NODES, type RunEnv, startRunEnv } from '#support/rollout-on-emulator.js';
import { type ServeProcess, startServeProcess } from '#support/serve-process.js';

const binDir = postgresBinDir();
let cluster: PostgresCluster;

beforeAll(() => {
  if (binDir === undefined) throw new Error(POSTGRES_MISSING);
  cluster = startPostgresCluster(binDir);
}, 60_000);
afterAll(() => cluster?.close());

interface Replicas {
  env: RunEnv;
  storage: SharedStorage;
  start(name: string): Promise<ServeProcess>;
  close(): Promise<void>;
}

async function replicas(database: string): Promise<Replicas> {
  const url = await cluster.createDatabase(database);
  // Each drain waits 12 s: long enough to stop a replica while a server is at weight 0.
  const env = await startRunEnv({ waitSeconds: 12 });
  const storage = await openPostgresStorage(url);
  return {
    env,
    storage,
    // Each replica its own DRAINCTL_HOME: they share only the database.
    start: (name) =>
      startServeProcess({
        ...env,
        env: {
          ...env.env,
          DRAINCTL_DATABASE_URL: url,
          DRAINCTL_HOME: join(env.dir, `home-${name}`),
        },
      }),
    async close() {
      await storage.close();
      await env.close();
    },
  };
}

type Entry = Record<string, unknown> & { type: string; seq: number };

async function entries(storage: SharedStorage, runId: string): Promise<Entry[]> {
  return (await storage.journal(runId).read()).map((l) => JSON.parse(l) as Entry);
}

const allServing = Object.fromEntries(NODES.map((id) => [id, 100]));

/** Start a run on `a`, and wait until a server is at weight 0 (its drain is under way). */
async function nightAtWeightZero(r: Replicas, a: ServeProcess): Promise<string> {
  const started = await a.request('POST', '/api/runs', {
    token: 'operator',
    body: { workflow: 'three' },
  });
  expect(started.status).toBe(202);
  const runId = String(started.json.runId);
  await expect
    .poll(() => Object.values(endState(r.env).weights).includes(0), {
      timeout: 60_000,
      interval: 100,
    })
    .toBe(true);
  return runId;
}

async function finished(r: Replicas, runId: string): Promise<Entry[]> {
  await expect
    .poll(async () => (await entries(r.storage, runId)).at(-1)?.type, {
      timeout: 180_000,
      interval: 500,
    })
    .toBe('done');
  return entries(r.storage, runId);
}

describe('a replica stops mid-night', () => {
  it('kill -9 while a server is at weight 0: the other takes over within 40 s and finishes', async () => {
    const r = await replicas('takeover_kill');
    try {
      const a = await r.start('a');
      const b = await r.start('b');
      const runId = await nightAtWeightZero(r, a);
      const before = (await entries(r.storage, runId)).length;
      a.child.kill('SIGKILL');
      const killedAt = Date.now();
      await expect
        .poll(async () => (await entries(r.storage, runId)).some((e) => e.type === 'resume'), {
          timeout: 45_000,
          interval: 250,
        })
        .toBe(true);
      const tookOverMs = Date.now() - killedAt;
      expect(tookOverMs).toBeLessThan(40_000);
      const journal = await finished(r, runId);
      expect(journal.at(-1)).toMatchObject({ type: 'done', outcome: 'completed' });
      // One resume, after every entry the killed replica wrote: nothing interleaved.
      const resumes = journal.filter((e) => e.type === 'resume');
      expect(resumes).toHaveLength(1);
      expect(resumes[0]?.seq).toBeGreaterThan(before);
      expect(endState(r.env).weights).toEqual(allServing);
      expect(new Set(Object.values(endState(r.env).kernels)).size).toBe(1);
      expect(await r.storage.unfinishedRuns()).toEqual([]);
      b.child.kill('SIGTERM');
      await b.done;
    } finally {
      await r.close();
    }
  }, 300_000);

  it('SIGTERM hands the night over: the other replica continues it at once', async () => {
    const r = await replicas('takeover_sigterm');
    try {
      const a = await r.start('a');
      const b = await r.start('b');
      const runId = await nightAtWeightZero(r, a);
      a.child.kill('SIGTERM');
      const stoppedAt = Date.now();
      const exit = await a.done;
      expect(exit.code).toBe(0);
      // Not ended by the replica that stopped: no `done` from it.
      expect((await entries(r.storage, runId)).some((e) => e.type === 'done')).toBe(false);
      await expect
        .poll(async () => (await entries(r.storage, runId)).some((e) => e.type === 'resume'), {
          timeout: 20_000,
          interval: 250,
        })
        .toBe(true);
      // The lease was released, not left to expire.
      expect(Date.now() - stoppedAt).toBeLessThan(20_000);
      const journal = await finished(r, runId);
      expect(journal.at(-1)).toMatchObject({ type: 'done', outcome: 'completed' });
      expect(endState(r.env).weights).toEqual(allServing);
      b.child.kill('SIGTERM');
      await b.done;
    } finally {
      await r.close();
    }
  }, 300_000);
});
