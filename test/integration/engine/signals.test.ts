/**
 * Signals through the real binary against the emulator: no signal kills a run mid-maintenance.
 * SIGHUP (the SSH session dropped) aborts like Ctrl-C; `drainctl abort` twice does not re-signal
 * the run; a second SIGTERM without a terminal is only logged; stdout and stderr whose reader
 * went away (EPIPE) do not crash the run.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  drainConfirmed,
  drainctl,
  endState,
  journal,
  runEnvPerTest,
  spawnDrainctl,
  waitForEntry,
} from '#support/rollout-on-emulator.js';

const startEnv = runEnvPerTest();

const ALL_100 = { 'i-emu-web-1': 100, 'i-emu-web-2': 100, 'i-emu-web-3': 100 };
const drainDone = drainConfirmed('i-emu-web-1');

describe('signals never kill a run mid-maintenance', () => {
  it('SIGHUP mid-drain aborts safely: the drain is undone, exit 2', async () => {
    const env = await startEnv({ waitSeconds: 60 });
    const { child, done } = spawnDrainctl(env, ['run', env.workflow, '--yes']);
    await waitForEntry(env, drainDone, done);
    child.kill('SIGHUP');
    const run = await done;
    expect(run.signal).toBeNull();
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      '  aborted by SIGHUP: stopped safely, every node serving or named',
    );
    expect(endState(env).weights).toEqual(ALL_100);
  }, 120_000);

  it('a second SIGTERM is logged, the run still ends safely; closed stdout/stderr (EPIPE) do not crash it', async () => {
    const env = await startEnv({ waitSeconds: 60 });
    const { child, done } = spawnDrainctl(env, ['run', env.workflow, '--yes']);
    const { runId } = await waitForEntry(env, drainDone, done);
    // The terminal went away: whatever the run prints from now on has no reader.
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.kill('SIGTERM');
    // The second SIGTERM comes once the first one was taken (it is journaled as the stop's cause).
    await vi.waitFor(
      async () =>
        expect((await journal(env, runId)).map((e) => e.type)).toContain('abort-requested'),
      { timeout: 30_000, interval: 50 },
    );
    child.kill('SIGTERM');
    const run = await done;
    expect(run.signal).toBeNull();
    expect(run.code).toBe(2);
    expect(endState(env).weights).toEqual(ALL_100);
    const entries = await journal(env, runId);
    expect(entries.at(-1)).toMatchObject({ type: 'done', outcome: 'halted' });
  }, 120_000);

  it('`drainctl abort` twice: the second says it is already stopping and sends nothing', async () => {
    const env = await startEnv({
      waitSeconds: 0,
      emulator: {
        timings: {
          stoppingSeconds: 0.1,
          bootSeconds: 22, // two `drainctl abort` spawns fit on a loaded box; under rebootTimeoutSeconds (30)
          appStartSeconds: 0.1,
          packageUpdateSeconds: 0.1,
          healthCheckScale: 0.25,
        },
      },
    });
    const { done } = spawnDrainctl(env, ['run', env.workflow, '--yes']);
    const { runId } = await waitForEntry(
      env,
      (e) => e.type === 'node-state' && e.node === 'i-emu-web-1' && e.state === 'rebooting',
      done,
    );
    const first = await drainctl(env, ['abort', runId]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`asked run ${runId}`);
    await waitForEntry(env, (e) => e.type === 'abort-requested', done);
    const second = await drainctl(env, ['abort', runId]);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`run ${runId} is already stopping`);
    const run = await done;
    expect(run.signal).toBeNull();
    expect(run.code).toBe(2);
    // web-1 was past the point of no return: carried through to service; the others untouched.
    expect(endState(env).weights).toEqual(ALL_100);
    expect(endState(env).kernels['i-emu-web-1']).toBe('3.10.0-1160.119.1.el7.x86_64');
  }, 120_000);
});
