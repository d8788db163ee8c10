/**
 * Engine review: `resume` repaired a torn journal tail (cut the file) before it held the lock,
 * so a resume refused because the run is still alive had already written to that run's journal.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { journalPath } from '#src/engine/lifecycle/run-dir.js';
import { resumeRun, startRun } from '#src/engine/lifecycle/runner.js';
import { lockPath } from '#src/engine/lock/balancer-lock.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { silent } from '#support/in-memory-runs.js';
import { Incarnation, InMemoryWorld } from '#support/in-memory-world.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'drainctl-resume-lock-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('resume takes the lock first', () => {
  it('a resume refused by a live holder leaves the journal, torn tail and all, untouched', async () => {
    const world = new InMemoryWorld(fleet(2));
    const options = {
      home,
      ports: world.ports(new Incarnation()),
      logger: silent,
      abortPollMs: 3_600_000,
    };
    await startRun(buildPlan(world, { minHealthy: 1, maxUnavailable: 1 }), {
      ...options,
      runId: 'r-1',
      locking: false,
    });
    // As if the live holder were in the middle of writing line 6.
    const path = journalPath(home, 'r-1');
    const lines = (await readFile(path, 'utf8')).split('\n').slice(0, 5);
    const torn = `${lines.join('\n')}\n{"seq":6,"ts":"2026-11-21T02:0`;
    await writeFile(path, torn);
    await mkdir(join(home, 'locks'), { recursive: true });
    const now = new Date().toISOString();
    await writeFile(
      lockPath(home, world.loadBalancerId),
      JSON.stringify({
        key: world.loadBalancerId,
        runId: 'r-1',
        pid: process.pid,
        host: hostname(),
        acquiredAt: now,
        heartbeatAt: now,
      }),
    );
    await expect(resumeRun('r-1', options)).rejects.toMatchObject({ code: 'LOCK_HELD' });
    expect(await readFile(path, 'utf8')).toBe(torn);
  });
});
