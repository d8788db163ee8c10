/**
 * The library with DRAINCTL_DATABASE_URL in the environment it is given, from a DRAINCTL_HOME
 * that shares nothing with the serve replica: `status` and `abort` read and abort the night the
 * replica runs in the database, and `run` and `resume` journal and read there, as the CLI does.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openPostgresStorage } from '#src/adapters/postgres/postgres-storage.js';
import { abort, resume, run, status } from '#src/index.js';
import { createLogger } from '#src/log/index.js';
import { postgresClusterForFile } from '#support/postgres-cluster.js';
import { startRunEnv } from '#support/rollout-on-emulator.js';
import { entries, finished, nightAtWeightZero, serveReplicas } from '#support/serve-replicas.js';

const cluster = postgresClusterForFile();

it('status reads and abort stops a night a replica runs, from another DRAINCTL_HOME', async () => {
  const r = await serveReplicas(cluster(), 'library_calls');
  try {
    const a = await r.start('a');
    const runId = await nightAtWeightZero(r, a);
    const options = {
      env: { ...r.env.env, DRAINCTL_DATABASE_URL: r.url },
      home: join(r.env.dir, 'home-script'),
      cwd: r.env.dir,
      logger: createLogger({ level: 'silent' }),
    };

    const running = await status(runId, options);
    expect(running).toMatchObject({ runId, running: true });
    expect(running.holder).toBeDefined();
    // Without a run id: the latest run, which is in the database, not in the script's home.
    expect((await status(undefined, options)).runId).toBe(runId);

    const asked = await abort(runId, options);
    expect(asked).toMatchObject({ runId, signalled: false });
    const journal = await finished(r, runId);
    expect(journal.at(-1)).toMatchObject({ type: 'done', outcome: 'halted' });
    expect(journal.some((entry) => entry.type === 'abort-requested')).toBe(true);
    expect((await status(runId, options)).report.outcome).toBe('halted');
    a.child.kill('SIGTERM');
    await a.done;
  } finally {
    await r.close();
  }
}, 300_000);

it('run journals in the database and resume reads it there', async () => {
  const env = await startRunEnv({ waitSeconds: 0 });
  const url = await cluster().createDatabase('library_run');
  const storage = await openPostgresStorage(url);
  try {
    const options = {
      env: { ...env.env, DRAINCTL_DATABASE_URL: url },
      home: join(env.dir, 'home-script'),
      cwd: env.dir,
      logger: createLogger({ level: 'silent' }),
    };
    const result = await run(env.workflow, options);
    expect(result.outcome).toBe('completed');
    expect(await storage.listRuns()).toEqual([result.runId]);
    expect((await entries(storage, result.runId)).at(-1)).toMatchObject({ type: 'done' });
    // Found in the database (not in the script's home): refused as finished, not as unknown.
    await expect(resume(result.runId, options)).rejects.toMatchObject({ code: 'RUN_FINISHED' });
  } finally {
    await storage.close();
    await env.close();
  }
}, 180_000);
