/**
 * A node that does not come back, against the emulator's world (boot-failure fault), through
 * the real binary: the run halts with exit 2, the node stays at weight 0 and is named in the
 * report and in `drainctl status`, the node after it is untouched, nothing else is out; a new
 * `drainctl run` is then refused until the halted run is resumed (or `--new-run` is given);
 * once a node left out is fixed, `drainctl resume --retry` carries it through again.
 */
import { describe, expect, it } from 'vitest';
import { drainctl, endState, runEnvPerTest } from '#support/rollout-on-emulator.js';

const startEnv = runEnvPerTest();

const OLD = '3.10.0-1160.el7.x86_64';
const NEW = '3.10.0-1160.119.1.el7.x86_64';

describe('a node that is not healthy after its reboot', () => {
  it('is left out as unhealthy, by name, with what its checks said', async () => {
    const env = await startEnv({ drainProbe: 'access-log', healthTimeoutSeconds: 3 });
    env.emu.injectFault({
      kind: 'unhealthy-after-reboot',
      instanceId: 'i-emu-web-1',
      seconds: 120,
    });
    const run = await drainctl(env, ['run', env.workflow, '--yes', '--json']);
    expect(run.code).toBe(2);
    const doc = JSON.parse(run.stdout);
    expect(doc.report.leftOut).toEqual([
      {
        id: 'i-emu-web-1',
        name: 'web-1',
        reason: 'unhealthy',
        detail: expect.stringContaining('not healthy within 3s'),
      },
    ]);
    expect(endState(env).weights).toEqual({
      'i-emu-web-1': 0,
      'i-emu-web-2': 100,
      'i-emu-web-3': 100,
    });

    // The operator fixed web-1: `resume --retry` carries it through again, then the others.
    env.emu.clearFaults();
    const retried = await drainctl(env, [
      'resume',
      doc.runId,
      '--retry',
      'i-emu-web-1',
      '--yes',
      '--json',
    ]);
    expect(retried.code, retried.stderr).toBe(0);
    const nodes = JSON.parse(retried.stdout).report.nodes as Array<Record<string, unknown>>;
    expect(nodes.map((n) => [n.id, n.state, n.kernelBefore, n.kernelAfter])).toEqual([
      ['i-emu-web-1', 'done', OLD, NEW],
      ['i-emu-web-2', 'done', OLD, NEW],
      ['i-emu-web-3', 'done', OLD, NEW],
    ]);
    expect(endState(env).weights).toEqual({
      'i-emu-web-1': 100,
      'i-emu-web-2': 100,
      'i-emu-web-3': 100,
    });
  }, 180_000);
});

describe('a node that does not boot', () => {
  it('is left at weight 0 and named; the rollout halts before the next node', async () => {
    const env = await startEnv();
    env.emu.injectFault({ kind: 'boot-failure', instanceId: 'i-emu-web-2' });
    const run = await drainctl(env, ['run', env.workflow, '--yes', '--json']);
    expect(run.code).toBe(2);
    const doc = JSON.parse(run.stdout);
    expect(doc.outcome).toBe('halted');
    expect(doc.report.leftOut).toEqual([
      {
        id: 'i-emu-web-2',
        name: 'web-2',
        reason: 'unreachable',
        detail: expect.stringContaining('did not come back'),
      },
    ]);
    const end = endState(env);
    expect(end.weights).toEqual({ 'i-emu-web-1': 100, 'i-emu-web-2': 0, 'i-emu-web-3': 100 });
    expect(end.kernels).toMatchObject({ 'i-emu-web-1': NEW, 'i-emu-web-3': OLD });
    expect(doc.report.nodes.map((n: { state: string }) => n.state)).toEqual([
      'done',
      'left-out',
      'pending',
    ]);

    const status = await drainctl(env, ['status', doc.runId]);
    expect(status.stdout).toContain('LEFT OUT OF SERVICE (needs a person):');
    expect(status.stdout).toContain('web-2 (i-emu-web-2): unreachable:');
    expect(status.stdout).toContain(`\`drainctl resume ${doc.runId}\``);

    // A new run would forget web-2: refused in one line, naming the run and how to continue.
    const again = await drainctl(env, ['run', env.workflow, '--yes']);
    expect(again.code).toBe(3);
    const refusal = again.stderr.trim().split('\n');
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).toContain(
      `UNFINISHED_RUN: run ${doc.runId} (crash-three) on the same balancer is halted; out of service: web-2 (i-emu-web-2, left out, unreachable)`,
    );
    expect(refusal[0]).toContain(`drainctl resume ${doc.runId}`);
    expect(refusal[0]).toContain('--new-run');
    expect(endState(env).weights).toEqual(end.weights);
  }, 120_000);
});
