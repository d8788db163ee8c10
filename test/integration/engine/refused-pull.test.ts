/**
 * The SLB refuses weight changes (403) while web-1 is half way through its ramp, through the
 * real CLI and SLB adapter against the emulator (in process, to spare a process start): the
 * failure policy cannot take web-1 back to 0 either, and the run says so — web-1 named as left
 * out at the weight it really serves at, exit 2, not a bare "failed" (review finding 4).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliInProcess } from '#support/cli-in-process.js';
import { endState, type RunEnv, startRunEnv, waitForEntry } from '#support/rollout-on-emulator.js';

let env: RunEnv | undefined;
afterEach(async () => {
  env?.emu.clearFaults();
  await env?.close();
  env = undefined;
});

describe('the cloud refuses the pull back to 0', () => {
  it('names web-1 as left out at weight 50, exit 2, and status says the same', async () => {
    env = await startRunEnv({ waitSeconds: 0 });
    const text = await readFile(env.workflow, 'utf8');
    await writeFile(env.workflow, text.replace('holdSeconds: 0', 'holdSeconds: 2'));
    const strings = env.env as Record<string, string>;
    const run = runCliInProcess(['run', env.workflow, '--yes', '--json'], strings);
    await waitForEntry(
      env,
      (e) => e.type === 'result' && String(e.opId).endsWith('#w50') && e.node === 'i-emu-web-1',
    );
    env.emu.injectFault({
      kind: 'api-error',
      action: 'SetBackendServers',
      product: 'slb',
      code: 'Forbidden.RAM',
      status: 403,
      rate: 1,
      message: 'User not authorized to operate on the specified resource.',
    });
    const result = await run;
    expect(result.code, result.stderr.slice(-2000)).toBe(2);
    const doc = JSON.parse(result.stdout);
    expect(doc.outcome).toBe('halted');
    expect(doc.report.leftOut).toEqual([
      expect.objectContaining({
        id: 'i-emu-web-1',
        reason: 'error',
        detail: expect.stringMatching(
          /could not take it back to weight 0: .*Forbidden\.RAM.*it is at weight 50 \(serving\)/,
        ),
      }),
    ]);
    expect(endState(env).weights).toEqual({
      'i-emu-web-1': 50,
      'i-emu-web-2': 100,
      'i-emu-web-3': 100,
    });
    const status = await runCliInProcess(['status', doc.runId], strings);
    expect(status.stdout).toContain('LEFT OUT OF SERVICE (needs a person):');
    expect(status.stdout).toMatch(/web-1 \(i-emu-web-1\): error: .*it is at weight 50 \(serving\)/);
  }, 90_000);
});
