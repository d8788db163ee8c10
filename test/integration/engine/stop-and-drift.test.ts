/**
 * Stopping a run and drift, through the real binary against the emulator: SIGTERM and
 * `drainctl abort` while a node drains (the drain is undone, exit 2), a weight changed by
 * someone else mid-run (halt before the next mutation, naming it), a second run on the same
 * balancer (refused with the holder's run id), `drainctl status`.
 */
import { describe, expect, it } from 'vitest';
import { createCloudPorts } from '#src/adapters/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { createLogger } from '#src/log/index.js';
import { emulatorPorts } from '#support/balancer-by-hand.js';
import {
  drainConfirmed,
  drainctl,
  endState,
  journal,
  latestRunId,
  runEnvPerTest,
  spawnDrainctl,
  waitForEntry,
} from '#support/rollout-on-emulator.js';

const startEnv = runEnvPerTest();

const ALL_100 = { 'i-emu-web-1': 100, 'i-emu-web-2': 100, 'i-emu-web-3': 100 };
const drainDone = drainConfirmed('i-emu-web-1');

describe('stopping a run', () => {
  it('SIGTERM during a drain: weight restored, nothing else touched, exit 2', async () => {
    const env = await startEnv({ waitSeconds: 60 });
    const { child, done } = spawnDrainctl(env, ['run', env.workflow, '--yes']);
    const { runId } = await waitForEntry(env, drainDone, done);
    expect(endState(env).weights['i-emu-web-1']).toBe(0);
    const live = await drainctl(env, ['status']);
    expect(live.stdout).toContain(`run ${runId} (crash-three): running`);
    expect(live.stdout).toMatch(/ {2}running: pid \d+ on /);
    expect(live.stdout).toContain('web-1 (i-emu-web-1) batch 1: draining, weight 100 → 0');
    child.kill('SIGTERM');
    const run = await done;
    expect(run.code).toBe(2);
    expect(endState(env).weights).toEqual(ALL_100);
    expect(run.stdout).toContain(
      '  aborted by SIGTERM: stopped safely, every node serving or named',
    );

    const status = await drainctl(env, ['status', runId, '--json']);
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout).report;
    expect(report.nodes.map((n: { state: string }) => n.state)).toEqual([
      'rolled-back',
      'pending',
      'pending',
    ]);
    expect(report.nodes[0]).toMatchObject({
      weightBefore: 100,
      weightAfter: 100,
      outcome: 'aborted',
    });
  }, 120_000);

  it('drainctl abort <run-id>: the running process stops safely and exits 2', async () => {
    const env = await startEnv({ waitSeconds: 60 });
    const { done } = spawnDrainctl(env, ['run', env.workflow, '--yes']);
    const { runId } = await waitForEntry(env, drainDone, done);
    const abort = await drainctl(env, ['abort', runId]);
    expect(abort.code).toBe(0);
    expect(abort.stdout).toContain(`asked run ${runId}`);
    const run = await done;
    expect(run.code).toBe(2);
    expect(endState(env).weights).toEqual(ALL_100);
    // Its closing lines name who stopped it (the request file, although SIGTERM came too) and
    // give no advice that fits a failure.
    expect(run.stdout).toMatch(
      /^ {2}aborted by drainctl abort \(\S+@\S+\): stopped safely, every node serving or named$/m,
    );
    expect(run.stdout).not.toContain('once the cause is fixed');
    expect(run.stdout).toContain(`next: nothing to fix; \`drainctl resume ${runId}\` continues`);
    const again = await drainctl(env, ['abort', runId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('RUN_NOT_RUNNING');
  }, 120_000);

  it("a second run on the same balancer is refused with the holder's run id", async () => {
    const env = await startEnv({ waitSeconds: 60 });
    const first = spawnDrainctl(env, ['run', env.workflow, '--yes']);
    const { runId } = await waitForEntry(env, drainDone, first.done);
    const second = await drainctl(env, ['run', env.workflow, '--yes']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(
        `LOCK_HELD: load balancer ${env.loadBalancerId} is held by run ${runId} \\(pid \\d+ on .+, heartbeat \\d+s ago\\)`,
      ),
    );
    // The refused run changed nothing: the first run's drain is still the only change.
    expect(endState(env).weights).toEqual({ ...ALL_100, 'i-emu-web-1': 0 });
    first.child.kill('SIGTERM');
    expect((await first.done).code).toBe(2);
  }, 120_000);
});

describe('drift', () => {
  it('a weight changed by someone else mid-run halts before the next mutation and names it', async () => {
    const env = await startEnv({ waitSeconds: 3 });
    const current = env;
    const { done } = spawnDrainctl(current, ['run', current.workflow, '--yes']);
    await waitForEntry(current, drainDone, done);
    const ports = createCloudPorts({
      region: current.emu.region,
      endpoint: current.emu.endpoint,
      credentials: current.emu.credentials,
      clock: systemClock,
      logger: createLogger({ level: 'silent' }),
    });
    await ports.loadBalancer.setBackendWeights(current.loadBalancerId, [
      { serverId: 'i-emu-web-3', weight: 40 },
    ]);
    const run = await done;
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      'the balancer drifted from the plan, nothing changed: weight of i-emu-web-3 is 40, expected 100 (changed by someone else)',
    );
    // web-1 finished (it was past its drain); web-2 was never drained; web-3 is as someone set it.
    expect(endState(current).weights).toEqual({
      'i-emu-web-1': 100,
      'i-emu-web-2': 100,
      'i-emu-web-3': 40,
    });
  }, 120_000);

  it('found on resume, after a crash right after a weight was saved: the drain is not made and the saved weight goes', async () => {
    const env = await startEnv();
    // Entry 5 is the gate re-check inside web-1's drain: its weight was saved on the balancer
    // right before, and nothing has changed a weight yet.
    const crashed = await drainctl(env, ['run', env.workflow, '--yes'], {
      DRAINCTL_TEST_CRASH_AT_SEQ: '5',
    });
    expect(crashed.signal).toBe('SIGKILL');
    const runId = await latestRunId(env);
    expect((await journal(env, runId)).at(-1)).toMatchObject({
      type: 'gate',
      node: 'i-emu-web-1',
      recheck: true,
    });
    const ports = emulatorPorts(env.emu);
    const savedTags = async () =>
      Object.keys(await ports.loadBalancer.getTags(env.loadBalancerId)).filter((key) =>
        key.startsWith('drainctl-weight-'),
      );
    expect(await savedTags()).toEqual(['drainctl-weight-i-emu-web-1']);
    await ports.loadBalancer.setBackendWeights(env.loadBalancerId, [
      { serverId: 'i-emu-web-3', weight: 60 },
    ]);

    const resumed = await drainctl(env, ['resume', runId, '--yes']);
    expect(resumed.code, resumed.stderr).toBe(2);
    expect(resumed.stdout).toContain('weight of i-emu-web-3 is 60, expected 100');
    expect(endState(env).weights).toEqual({ ...ALL_100, 'i-emu-web-3': 60 });
    // web-1 serves: no weight of it stays saved to bring it back to, should it ever be at 0.
    expect(await savedTags()).toEqual([]);
  }, 120_000);
});
