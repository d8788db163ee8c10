/**
 * Cloud Assistant refuses the patch command outright (RunCommand answered 403 Forbidden.RAM)
 * once web-1 is drained, through the real CLI and ECS adapter against the emulator: nothing
 * ran on web-1, so it goes back to its weight and is reported rolled back with the API's error;
 * the run halts before any other node leaves service (exit 2).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCliInProcess } from '#support/cli-in-process.js';
import { endState, type RunEnv, startRunEnv, waitForEntry } from '#support/rollout-on-emulator.js';

let env: RunEnv | undefined;
afterEach(async () => {
  env?.emu.clearFaults();
  await env?.close();
  env = undefined;
});

const OLD = '3.10.0-1160.el7.x86_64';

describe('the cloud refuses the patch command', () => {
  it('web-1 goes back to weight 100, reported rolled back with Forbidden.RAM, exit 2', async () => {
    // The drain waits 3 s: time to make the cloud refuse RunCommand after the baseline ran.
    env = await startRunEnv({ waitSeconds: 3 });
    const strings = env.env as Record<string, string>;
    const run = runCliInProcess(['run', env.workflow, '--yes', '--json'], strings);
    await waitForEntry(
      env,
      (e) => e.type === 'result' && String(e.step).includes('node.drain-i-emu-web-1'),
    );
    env.emu.injectFault({
      kind: 'api-error',
      action: 'RunCommand',
      product: 'ecs',
      code: 'Forbidden.RAM',
      status: 403,
      rate: 1,
      message: 'User not authorized to operate on the specified resource.',
    });
    const result = await run;
    expect(result.code, result.stderr.slice(-2000)).toBe(2);
    const doc = JSON.parse(result.stdout);
    expect(doc.outcome).toBe('halted');
    expect(doc.report.leftOut).toEqual([]);
    const web1 = doc.report.nodes.find((n: { id: string }) => n.id === 'i-emu-web-1');
    expect(web1).toMatchObject({
      state: 'rolled-back',
      outcome: 'patch-refused',
      weightAfter: 100,
      detail: expect.stringMatching(
        /refused by the cloud API before anything ran on i-emu-web-1: .*Forbidden\.RAM.*weight back to 100, host untouched/,
      ),
    });
    expect(endState(env).weights).toEqual({
      'i-emu-web-1': 100,
      'i-emu-web-2': 100,
      'i-emu-web-3': 100,
    });
    expect(endState(env).kernels['i-emu-web-1']).toBe(OLD);
  }, 90_000);
});
