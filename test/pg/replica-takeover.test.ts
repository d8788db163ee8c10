/**
 * Replicas of `drainctl serve` (real processes) on one PostgreSQL database. kill -9 of the one
 * running a night while a server is at weight 0: the other takes the run over once the lease
 * expires (within 40 s), resumes it from the database journal and finishes it, leaving the
 * fleet as an uninterrupted run does. SIGTERM of the one running a night hands it over at once.
 */
import { describe, expect, it } from 'vitest';
import { postgresClusterForFile } from '#support/postgres-cluster.js';
import { endState, NODES } from '#support/rollout-on-emulator.js';
import { entries, finished, nightAtWeightZero, serveReplicas } from '#support/serve-replicas.js';

const cluster = postgresClusterForFile();

const allServing = Object.fromEntries(NODES.map((id) => [id, 100]));

describe('a replica stops mid-night', () => {
  it('kill -9 while a server is at weight 0: the other takes over within 40 s and finishes', async () => {
    const r = await serveReplicas(cluster(), 'takeover_kill');
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
      // The API of the replica that finished it reads the run from the database.
      const run = await b.request('GET', `/api/runs/${runId}`, { token: 'viewer' });
      expect(run.status).toBe(200);
      expect(run.json).toMatchObject({ outcome: 'completed' });
      expect((await b.request('GET', '/api/runs', { token: 'viewer' })).text).toContain(runId);
      b.child.kill('SIGTERM');
      await b.done;
    } finally {
      await r.close();
    }
  }, 300_000);

  it('SIGTERM hands the night over: the other replica continues it at once', async () => {
    const r = await serveReplicas(cluster(), 'takeover_sigterm');
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
