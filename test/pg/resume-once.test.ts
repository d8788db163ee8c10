/**
 * A run is picked up by one path only. Across processes the lease decides (a second resume is
 * refused with LOCK_HELD and writes nothing). Within one replica, a resume of a run it already
 * executes (its takeover look, its start-up resume, or an operator's request arriving while the
 * run goes on) is refused before it touches the run's live state: the run's events go on
 * streaming to the end.
 */
import { expect, it } from 'vitest';
import { postgresClusterForFile } from '#support/postgres-cluster.js';
import { openEventStream } from '#support/serve-process.js';
import { entries, finished, nightAtWeightZero, serveReplicas } from '#support/serve-replicas.js';

const cluster = postgresClusterForFile();

it('a resume of a run this replica executes is refused, and the run keeps streaming its events', async () => {
  const r = await serveReplicas(cluster(), 'resume_once');
  try {
    const a = await r.start('a');
    const stream = await openEventStream(a);
    const runId = await nightAtWeightZero(r, a);
    const before = (await entries(r.storage, runId)).length;
    const resumes = await Promise.all(
      [1, 2].map(() => a.request('POST', `/api/runs/${runId}/resume`, { token: 'operator' })),
    );
    for (const resumed of resumes) {
      expect(resumed.status).toBe(409);
      expect(resumed.json.error).toMatchObject({ code: 'LOCK_HELD' });
    }
    const journal = await finished(r, runId);
    expect(journal.at(-1)).toMatchObject({ type: 'done', outcome: 'completed' });
    expect(journal.filter((entry) => entry.type === 'resume')).toEqual([]);
    expect(journal.length).toBeGreaterThan(before);
    // The run's own events reached the stream after the refused resumes: to its end.
    await expect
      .poll(
        () =>
          stream.events.some(
            (e) => e.event === 'run' && e.data.runId === runId && e.data.phase === 'completed',
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
    stream.close();
    a.child.kill('SIGTERM');
    await a.done;
  } finally {
    await r.close();
  }
}, 300_000);
