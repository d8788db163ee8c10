/**
 * A server found at weight 0 with nothing saved, and the saved weights' life, through the real
 * binary against the emulator (docs/engine.md §5):
 *
 * - a server set to 0 by hand (nothing saved): left as found — no patch, no reboot — named, and
 *   the run ends halted (exit 2) with a hint naming both choices; `--leave-at-zero` ends 0,
 *   `--restore-weight` patches it and brings it back;
 * - the tags' life: none left after a completed run, kept for a node left out, and a later run
 *   from another home brings that node back to it.
 */
import { describe, expect, it } from 'vitest';
import { emulatorPorts } from '#support/balancer-by-hand.js';
import {
  drainctl,
  endState,
  journal,
  latestRunId,
  NODES,
  runEnvPerTest,
} from '#support/rollout-on-emulator.js';
import {
  ALL_BACK,
  fromAnotherHome,
  NEW,
  OLD,
  verifyEqualsNew,
  weightTags,
} from '#support/saved-weight-runs.js';

const startEnv = runEnvPerTest();

describe('a server set to weight 0 by hand (no weight saved)', () => {
  it('is left as found and named, and the run ends halted; --leave-at-zero and --restore-weight choose', async () => {
    const env = await startEnv();
    await verifyEqualsNew(env);
    await emulatorPorts(env.emu).loadBalancer.setBackendWeights(env.loadBalancerId, [
      { serverId: 'i-emu-web-1', weight: 0 },
    ]);

    const run = await drainctl(env, ['run', env.workflow, '--yes']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toContain(
      'i-emu-web-1 (web-1) is at weight 0 and no drainctl run saved its weight: left as found',
    );
    expect(run.stdout).toContain('LEFT AT WEIGHT 0 AS FOUND');
    expect(run.stdout).toContain('--restore-weight i-emu-web-1=<weight>');
    expect(run.stdout).toContain('--leave-at-zero i-emu-web-1');
    // Untouched: no step of its own, no patch, no reboot; the others were maintained.
    const runId = await latestRunId(env);
    const entries = await journal(env, runId);
    expect(entries.filter((e) => e.node === 'i-emu-web-1')).toEqual([]);
    expect(endState(env)).toMatchObject({
      weights: { 'i-emu-web-1': 0, 'i-emu-web-2': 100, 'i-emu-web-3': 100 },
      kernels: { 'i-emu-web-1': OLD, 'i-emu-web-2': NEW, 'i-emu-web-3': NEW },
    });
    const status = await drainctl(env, ['status', runId]);
    expect(status.stdout).toContain('web-1 (i-emu-web-1): left at weight 0 as found');
    expect(status.stdout).toContain('--restore-weight i-emu-web-1=<weight>');

    // On purpose: the plan says so, and the run of exactly that plan ends done.
    const planned = await drainctl(env, [
      'plan',
      env.workflow,
      '--json',
      '--leave-at-zero',
      'i-emu-web-1',
    ]);
    expect(planned.code, planned.stderr).toBe(0);
    const sha = JSON.parse(planned.stdout).sha256 as string;
    const acknowledged = await drainctl(env, [
      'run',
      env.workflow,
      '--yes',
      '--json',
      '--leave-at-zero',
      'i-emu-web-1',
      '--plan-sha256',
      sha,
    ]);
    expect(acknowledged.code, acknowledged.stderr).toBe(0);
    expect(JSON.parse(acknowledged.stdout).report.summary).toContain(
      'left at weight 0 as found, as --leave-at-zero says: i-emu-web-1 (web-1)',
    );
    expect(endState(env).weights['i-emu-web-1']).toBe(0);

    const restored = await drainctl(env, [
      'run',
      env.workflow,
      '--yes',
      '--json',
      '--restore-weight',
      'i-emu-web-1=80',
    ]);
    expect(restored.code, restored.stderr).toBe(0);
    const web1 = JSON.parse(restored.stdout).report.nodes.find(
      (n: { id: string }) => n.id === 'i-emu-web-1',
    );
    expect(web1).toMatchObject({
      state: 'done',
      weightAfter: 80,
      kernelAfter: NEW,
      atZero: { action: 'restore', weight: 80, from: 'operator' },
    });
    expect(endState(env).weights['i-emu-web-1']).toBe(80);
    expect(await weightTags(env)).toEqual({});
  }, 300_000);

  it('refuses a choice that names no server at weight 0, changing nothing', async () => {
    const env = await startEnv();
    const run = await drainctl(env, [
      'run',
      env.workflow,
      '--yes',
      '--restore-weight',
      'i-emu-web-2=100',
    ]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      '--restore-weight i-emu-web-2=100: expected a server found at weight 0, found i-emu-web-2 (web-2) at weight 100',
    );
    const malformed = await drainctl(env, ['plan', env.workflow, '--restore-weight', 'web-1']);
    expect(malformed.code).toBe(3);
    expect(malformed.stderr).toContain('expected <instance id>=<weight>');
    expect(endState(env).weights).toEqual(ALL_BACK);
  }, 120_000);
});

describe('the saved weights on the balancer', () => {
  it('are gone after a completed run, stay for a node left out, and bring it back in a later run', async () => {
    const env = await startEnv({ drainProbe: 'access-log', healthTimeoutSeconds: 3 });
    await verifyEqualsNew(env);
    env.emu.injectFault({
      kind: 'unhealthy-after-reboot',
      instanceId: 'i-emu-web-2',
      seconds: 120,
    });
    const halted = await drainctl(env, ['run', env.workflow, '--yes', '--json']);
    expect(halted.code, halted.stderr).toBe(2);
    expect(JSON.parse(halted.stdout).report.leftOut).toEqual([
      expect.objectContaining({ id: 'i-emu-web-2', reason: 'unhealthy' }),
    ]);
    const runId = await latestRunId(env);
    // web-1 came back: its tag is gone; web-2 is out: its tag stays; web-3 was never touched.
    expect(await weightTags(env)).toEqual({
      'drainctl-weight-i-emu-web-2': expect.stringMatching(new RegExp(`^100;run=${runId};`)),
    });

    // The server is fixed, and the workflow is run again where that journal is not (another
    // home): web-2 goes back to the weight kept on the balancer, not to 0.
    env.emu.clearFaults();
    const again = await fromAnotherHome(env, ['run', env.workflow, '--yes', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(endState(env).weights).toEqual(ALL_BACK);
    expect(await weightTags(env)).toEqual({});
    for (const id of NODES) expect(endState(env).kernels[id]).toBe(NEW);
  }, 300_000);
});
