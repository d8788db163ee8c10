/**
 * A server a crashed run stopped during its ramp, through the real binary against the emulator
 * (docs/engine.md §5): a run killed during web-1's ramp, then a run of the same workflow from
 * another DRAINCTL_HOME with --break-lock: web-1 goes on to the weight the first run saved on
 * the balancer before draining it, through its full sequence.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  endState,
  runEnvPerTest,
  spawnDrainctl,
  waitForEntry,
} from '#support/rollout-on-emulator.js';
import { ALL_BACK, fromAnotherHome, NEW, weightTags } from '#support/saved-weight-runs.js';

const startEnv = runEnvPerTest();

describe('a server a run stopped during its ramp', () => {
  it('goes on to the weight the crashed run saved, through its full sequence, when run again from another home', async () => {
    const env = await startEnv();
    // Every server already patched would be skipped; a hold long enough to stop the ramp in.
    const text = await readFile(env.workflow, 'utf8');
    await writeFile(
      env.workflow,
      text
        .replace('expect: changed', `expect: { equals: ${NEW} }`)
        .replace('holdSeconds: 0', 'holdSeconds: 6'),
    );
    const { child, done } = spawnDrainctl(env, ['run', env.workflow, '--yes', '--json']);
    const { runId: first } = await waitForEntry(
      env,
      (e) =>
        e.type === 'result' &&
        e.op === 'set-weight' &&
        e.node === 'i-emu-web-1' &&
        (e.after as { weight: number }).weight === 50,
      done,
    );
    child.kill('SIGKILL');
    await done;
    expect(endState(env).weights['i-emu-web-1']).toBe(50);
    expect(endState(env).kernels['i-emu-web-1']).toBe(NEW);
    expect(await weightTags(env)).toEqual({
      'drainctl-weight-i-emu-web-1': expect.stringMatching(new RegExp(`^100;run=${first};`)),
    });

    const plan = await fromAnotherHome(env, ['plan', env.workflow]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('i-emu-web-1 (web-1, weight 50 → 100)');
    expect(plan.stdout).toContain(
      `i-emu-web-1 (web-1) serves at weight 50, though run ${first} saved weight 100 before draining it`,
    );

    const second = await fromAnotherHome(env, [
      'run',
      env.workflow,
      '--yes',
      '--json',
      '--break-lock',
    ]);
    expect(second.code, second.stderr).toBe(0);
    const doc = JSON.parse(second.stdout);
    expect(doc.outcome).toBe('completed');
    expect(doc.report.nodes.map((n: { id: string; state: string }) => [n.id, n.state])).toEqual([
      ['i-emu-web-1', 'done'],
      ['i-emu-web-2', 'done'],
      ['i-emu-web-3', 'done'],
    ]);
    expect(doc.report.nodes[0]).toMatchObject({
      weightBefore: 50,
      weightAfter: 100,
      belowSaved: { weight: 100, runId: first },
    });
    expect(endState(env).weights).toEqual(ALL_BACK);
    expect(await weightTags(env)).toEqual({});
  }, 240_000);
});
