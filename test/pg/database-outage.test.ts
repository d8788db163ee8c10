/**
 * PostgreSQL stopped for 10 s in the middle of a night, a server at weight 0: no change reaches
 * the cloud while the database is away (every change waits for its intent's journal line, which
 * waits for the database while the lease is known to hold), and the run continues once the
 * database is back, saying in its journal that it waited.
 */
import { describe, expect, it } from 'vitest';
import { postgresClusterForFile } from '#support/postgres-cluster.js';
import { type EndState, endState, NODES } from '#support/rollout-on-emulator.js';
import { finished, nightAtWeightZero, serveReplicas } from '#support/serve-replicas.js';

const cluster = postgresClusterForFile();

const snapshot = (state: EndState) => JSON.stringify([state.weights, state.kernels]);

describe('PostgreSQL stopped for 10 s mid-run', () => {
  it('sends no change meanwhile, then the run continues and says it waited', async () => {
    const r = await serveReplicas(cluster(), 'outage_mid_run');
    try {
      const a = await r.start('a');
      const runId = await nightAtWeightZero(r, a);
      // Its drain waits 12 s: stopped 4 s in, the database is away when the run next has to
      // journal (the drain's end, then the patch's intent).
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      cluster().stop();
      // A change already on its way when the database stopped may still land: look from here.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const atStop = snapshot(endState(r.env));
      const seen = new Set<string>();
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        seen.add(snapshot(endState(r.env)));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      cluster().start();
      expect([...seen]).toEqual([atStop]);
      const journal = await finished(r, runId);
      expect(journal.at(-1)).toMatchObject({ type: 'done', outcome: 'completed' });
      const waited = journal.filter(
        (e) => e.type === 'note' && String(e.message).includes('unreachable'),
      );
      expect(waited.length).toBeGreaterThanOrEqual(1);
      expect(String(waited[0]?.message)).toMatch(/unreachable for \d+\.\d s/);
      // It was written after the database came back, the drain's end before it.
      const drained = journal.findIndex((e) => e.type === 'probe' && e.kind === 'drain');
      expect(journal.indexOf(waited[0] as (typeof journal)[number])).toBeGreaterThan(drained);
      expect(endState(r.env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));
      a.child.kill('SIGTERM');
      await a.done;
    } finally {
      await r.close();
    }
  }, 300_000);
});
