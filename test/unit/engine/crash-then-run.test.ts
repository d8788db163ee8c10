/**
 * After a crash (SIGKILL) the dead run's lock file and tag stay behind. The next `run` is told
 * to resume that run (UNFINISHED_RUN, `drainctl resume <id>`), not to break its lock; resume
 * then takes the lock over. A lock held by a live process still refuses with LOCK_HELD, and
 * `newRun` keeps the lock's own refusal (it sets a run aside, it does not break locks).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { journalPath } from '#src/engine/lifecycle/run-dir.js';
import { resumeRun, startRun } from '#src/engine/lifecycle/runner.js';
import { lockPath } from '#src/engine/lock/balancer-lock.js';
import { formatTagValue, LOCK_TAG_KEY } from '#src/engine/lock/balancer-tag.js';
import type { Plan } from '#src/plan/types.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { silent } from '#support/in-memory-runs.js';
import { Incarnation, InMemoryWorld } from '#support/in-memory-world.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'drainctl-crash-then-run-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

function options(world: InMemoryWorld, runId?: string) {
  return {
    home,
    ...(runId === undefined ? {} : { runId }),
    ports: world.ports(new Incarnation()),
    logger: silent,
    abortPollMs: 3_600_000,
  };
}

/** Run r-1, then make it look crashed right after web-1's drain, its lock held by `pid`. */
async function crashedRun(pid: number): Promise<{ world: InMemoryWorld; plan: Plan }> {
  const world = new InMemoryWorld(fleet(2));
  const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
  await startRun(plan, options(world, 'r-1'));
  const path = journalPath(home, 'r-1');
  const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
  const drained = lines.findIndex((l) => l.includes('"type":"step","step":"s003-node.drain'));
  expect(drained).toBeGreaterThan(0);
  await writeFile(path, `${lines.slice(0, drained + 1).join('\n')}\n`);
  const now = new Date().toISOString();
  await mkdir(join(home, 'locks'), { recursive: true });
  await writeFile(
    lockPath(home, world.loadBalancerId),
    JSON.stringify({
      key: world.loadBalancerId,
      runId: 'r-1',
      pid,
      host: hostname(),
      acquiredAt: now,
      heartbeatAt: now,
    }),
  );
  world.tags.set(
    LOCK_TAG_KEY,
    formatTagValue({ runId: 'r-1', pid, host: hostname(), acquiredAt: now }),
  );
  return { world, plan };
}

const deadPid = () => spawnSync('true').pid as number;

describe('a run after a crash', () => {
  it('is told to resume the crashed run, not to break its lock; resume then takes the lock', async () => {
    const { world, plan } = await crashedRun(deadPid());
    const error = await startRun(plan, options(world, 'r-2')).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'UNFINISHED_RUN',
      exitCode: 3,
      message: expect.stringContaining('run r-1 (model-patch) on the same balancer is interrupted'),
      hint: expect.stringContaining('`drainctl resume r-1`'),
    });
    expect((error as { hint: string }).hint).not.toContain('--break-lock');
    // Resume takes over its own run's dead lock and tag and carries the run on (how it ends is
    // up to the model world behind the cut journal, not to the lock).
    const resumed = await resumeRun('r-1', options(world));
    expect(resumed.runId).toBe('r-1');
    expect(resumed.outcome).not.toBe('failed');
  });

  it('with newRun keeps the lock refusal (--new-run does not break a lock)', async () => {
    const { world, plan } = await crashedRun(deadPid());
    await expect(startRun(plan, { ...options(world, 'r-2'), newRun: true })).rejects.toMatchObject({
      code: 'LOCK_HELD',
      hint: expect.stringContaining('--break-lock'),
    });
  });

  it('while a live process holds the crashed-looking run: LOCK_HELD, not UNFINISHED_RUN', async () => {
    const { world, plan } = await crashedRun(process.pid);
    await expect(startRun(plan, options(world, 'r-2'))).rejects.toMatchObject({
      code: 'LOCK_HELD',
      hint: expect.stringContaining('`drainctl abort r-1`'),
    });
  });
});
