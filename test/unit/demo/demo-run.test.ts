/**
 * A demo killed mid-run (second Ctrl-C, kill, crash) leaves its lock file naming a dead process
 * in the demo's home. The next demo must start anyway (its home holds only its own throwaway
 * world), while a demo that is really running still refuses a second one — with hints that name
 * the demo's DRAINCTL_HOME, since plain `drainctl status` looks elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inDemoHome, startDemoRun } from '#src/demo/demo-run.js';
import { lockPath } from '#src/engine/lock/balancer-lock.js';
import { DrainctlError } from '#src/errors/index.js';
import { buildPlan, fleet } from '#support/hand-built-plans.js';
import { silent } from '#support/in-memory-runs.js';
import { Incarnation, InMemoryWorld } from '#support/in-memory-world.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'drainctl-demo-run-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function plantLock(key: string, runId: string, pid: number): Promise<void> {
  const now = new Date().toISOString();
  await mkdir(join(home, 'locks'), { recursive: true });
  await writeFile(
    lockPath(home, key),
    JSON.stringify({ key, runId, pid, host: hostname(), acquiredAt: now, heartbeatAt: now }),
  );
}

function start(world: InMemoryWorld) {
  const plan = buildPlan(world, { minHealthy: 1, maxUnavailable: 1 });
  return startDemoRun(plan, {
    home,
    runId: 'r-demo-2',
    ports: world.ports(new Incarnation()),
    logger: silent,
    abortPollMs: 3_600_000,
  });
}

describe('the demo after an earlier demo was killed', () => {
  it('takes over a lock whose holder is dead and runs to completion', async () => {
    const world = new InMemoryWorld(fleet(2));
    const dead = spawnSync('true').pid as number;
    await plantLock(world.loadBalancerId, 'r-demo-killed', dead);
    const result = await start(world);
    expect(result.outcome).toBe('completed');
    // The lock was this run's and is released at its end.
    await expect(readFile(lockPath(home, world.loadBalancerId), 'utf8')).rejects.toThrow();
  });

  it('still refuses while a live demo holds the lock, naming the demo home in the hint', async () => {
    const world = new InMemoryWorld(fleet(2));
    await plantLock(world.loadBalancerId, 'r-demo-live', process.pid);
    const error = await start(world).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrainctlError);
    expect(error).toMatchObject({ code: 'LOCK_HELD' });
    expect((error as DrainctlError).hint).toContain(
      `\`DRAINCTL_HOME=${home} drainctl abort r-demo-live\``,
    );
    expect(world.endState().weights).toEqual({ 'i-node-1': 100, 'i-node-2': 100 });
  });
});

describe('inDemoHome', () => {
  it('prefixes every drainctl command of a hint with the demo home, keeping code and exit code', () => {
    const original = new DrainctlError('X', 'm', {
      hint: 'see `drainctl status r-1`, then `drainctl resume r-1`',
      exitCode: 2,
    });
    const error = inDemoHome(original, '/h/demo') as DrainctlError;
    expect(error.hint).toBe(
      'see `DRAINCTL_HOME=/h/demo drainctl status r-1`, then `DRAINCTL_HOME=/h/demo drainctl resume r-1`',
    );
    expect(error).toMatchObject({ code: 'X', message: 'm', exitCode: 2, cause: original });
    const plain = new Error('x');
    expect(inDemoHome(plain, '/h/demo')).toBe(plain);
  });
});
