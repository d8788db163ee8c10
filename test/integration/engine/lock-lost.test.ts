/**
 * Engine review: a holder that found its lock taken only halted and carried on. Through the real
 * binary: the lock file is taken over mid-drain; within a heartbeat the run stops — no rollback
 * (the drained node stays out: the new holder drives), nothing more changed, "lock lost" in the
 * journal and on stderr, exit 1.
 */
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { lockPath } from '#src/engine/lock/balancer-lock.js';
import {
  drainConfirmed,
  endState,
  journal,
  runEnvPerTest,
  spawnDrainctl,
  waitForEntry,
} from '#support/rollout-on-emulator.js';

const startEnv = runEnvPerTest();

const drainDone = drainConfirmed('i-emu-web-1');

describe('lock lost', () => {
  it('a run whose lock file is taken mid-drain stops within a heartbeat, changes nothing more, exit 1', async () => {
    const env = await startEnv({ waitSeconds: 60 });
    const current = env;
    const run = spawnDrainctl(current, ['run', current.workflow, '--yes']);
    const { runId } = await waitForEntry(current, drainDone, run.done);
    const now = new Date().toISOString();
    await writeFile(
      lockPath(current.home, current.loadBalancerId),
      JSON.stringify({
        key: current.loadBalancerId,
        runId: 'r-thief',
        pid: 4242,
        host: 'ops-02',
        acquiredAt: now,
        heartbeatAt: now,
      }),
    );
    const started = Date.now();
    const done = await run.done;
    expect(Date.now() - started).toBeLessThan(30_000); // not the 60 s drain wait
    expect(done.code).toBe(1);
    expect(done.stdout + done.stderr).toContain('lock lost');
    expect(endState(current).weights).toEqual({
      'i-emu-web-1': 0,
      'i-emu-web-2': 100,
      'i-emu-web-3': 100,
    });
    const entries = await journal(current, runId);
    const drained = entries.findIndex(drainDone);
    const after = entries.slice(drained + 1);
    expect(after.filter((e) => e.type === 'intent' || e.type === 'halt')).toEqual([]);
    expect(after.at(-1)).toMatchObject({ type: 'done', outcome: 'failed' });
    expect(String(after.at(-1)?.summary)).toMatch(
      /^lock lost: .*now names run r-thief \(pid 4242 on ops-02\)/,
    );
  }, 120_000);
});
