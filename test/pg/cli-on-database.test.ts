/**
 * The CLI with DRAINCTL_DATABASE_URL, on a machine that shares nothing with the replica but the
 * database (its own DRAINCTL_HOME): it aborts a night a serve replica runs, sees it unfinished
 * (a new run on the balancer is refused with UNFINISHED_RUN, the replica's API lists it), reports
 * it, and resumes it to the end.
 */
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runDrainctl } from '#support/cli-runner.js';
import { postgresClusterForFile } from '#support/postgres-cluster.js';
import { endState, NODES } from '#support/rollout-on-emulator.js';
import { entries, finished, nightAtWeightZero, serveReplicas } from '#support/serve-replicas.js';

const cluster = postgresClusterForFile();

describe('the CLI on the database replicas share', () => {
  it('aborts, reports and resumes a night a replica runs, from another DRAINCTL_HOME', async () => {
    const r = await serveReplicas(cluster(), 'cli_commands');
    try {
      const a = await r.start('a');
      const runId = await nightAtWeightZero(r, a);
      const elsewhere = {
        ...r.env.env,
        DRAINCTL_DATABASE_URL: r.url,
        DRAINCTL_HOME: join(r.env.dir, 'home-cli'),
      };
      const cli = (args: string[]) =>
        runDrainctl(args, { env: elsewhere, cwd: r.env.dir, timeoutMs: 180_000 });

      const aborted = await cli(['abort', runId]);
      expect(aborted.stderr).toBe('');
      expect(aborted.code).toBe(0);
      expect(aborted.stdout).toContain(`abort requested for run ${runId}`);
      const halted = await finished(r, runId);
      expect(halted.at(-1)).toMatchObject({ type: 'done', outcome: 'halted' });
      expect(halted.find((e) => e.type === 'abort-requested')?.source).toMatch(
        /^drainctl abort \(/,
      );
      // The replica is still up: the abort was not a signal to it.
      expect(a.child.exitCode).toBeNull();

      // The halted night is in the way of a new run on its balancer, wherever that starts.
      const refused = await cli(['run', r.env.workflow, '--yes', '--json']);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain('UNFINISHED_RUN');
      expect(refused.stderr).toContain(runId);
      const listed = await a.request('GET', '/api/runs', { token: 'viewer' });
      expect((listed.json.unfinished as Array<{ runId: string }>).map((u) => u.runId)).toContain(
        runId,
      );

      const report = await cli(['report', runId, '--json']);
      expect(report.code).toBe(0);
      expect(JSON.parse(report.stdout)).toMatchObject({ runId, outcome: 'halted' });

      // The server the abort caught in its drain was rolled back: carried through again.
      const before = JSON.parse((await cli(['status', runId, '--json'])).stdout) as {
        report: { nodes: Array<{ id: string; state: string }> };
      };
      const caught = before.report.nodes.filter((n) => n.state === 'rolled-back').map((n) => n.id);
      expect(caught).toHaveLength(1);
      const retry = caught.flatMap((id) => ['--retry', id]);
      const resumed = await cli(['resume', runId, ...retry, '--yes', '--no-live']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect((await entries(r.storage, runId)).at(-1)).toMatchObject({
        type: 'done',
        outcome: 'completed',
      });
      expect(endState(r.env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));
      const status = await cli(['status', runId, '--json']);
      expect(JSON.parse(status.stdout)).toMatchObject({ runId, running: false });
      a.child.kill('SIGTERM');
      await a.done;
    } finally {
      await r.close();
    }
  }, 300_000);

  it('plans within the API rate limits the replicas share', async () => {
    const r = await serveReplicas(cluster(), 'cli_planning_buckets');
    const db = new pg.Client({ connectionString: r.url });
    await db.connect();
    try {
      const planned = await runDrainctl(
        ['run', r.env.workflow, '--yes', '--plan-sha256', '0'.repeat(64)],
        {
          env: { ...r.env.env, DRAINCTL_DATABASE_URL: r.url },
          cwd: r.env.dir,
          timeoutMs: 60_000,
        },
      );
      // Refused after planning, before anything ran: every call so far was the planning's.
      expect(planned.stderr).toContain('PLAN_CHANGED');
      const buckets = await db.query<{ key: string }>('SELECT key FROM drainctl_rate_buckets');
      expect(buckets.rows.map((row) => row.key)).toEqual(
        expect.arrayContaining([expect.stringMatching(/DescribeLoadBalancerAttribute/)]),
      );
    } finally {
      await db.end();
      await r.close();
    }
  }, 120_000);
});
