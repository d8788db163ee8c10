import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  drainctl,
  endState,
  journal,
  latestRunId,
  runEnvPerTest,
} from '#support/rollout-on-emulator.js';
import { ALL_BACK, fromAnotherHome, NEW, weightTags } from '#support/saved-weight-runs.js';

const startEnv = runEnvPerTest();

describe('a server a run left at weight 0', () => {
  it('goes back to the weight the crashed run saved, when run again from another home', async () => {
    const env = await startEnv();
    const crashed = await drainctl(env, ['run', env.workflow, '--yes', '--json'], {
      DRAINCTL_TEST_CRASH_AT_SEQ: '8',
    });
    expect(crashed.signal).toBe('SIGKILL');
    const first = await latestRunId(env);
    // Entry 8 is the confirmation that web-1 went to weight 0; its weight was saved before.
    expect((await journal(env, first)).at(-1)).toMatchObject({
      type: 'result',
      node: 'i-emu-web-1',
      after: { weight: 0 },
    });
    expect(endState(env).weights['i-emu-web-1']).toBe(0);
    expect(await weightTags(env)).toEqual({
      'drainctl-weight-i-emu-web-1': expect.stringMatching(new RegExp(`^100;run=${first};at=`)),
    });

    const plan = await fromAnotherHome(env, ['plan', env.workflow]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      `i-emu-web-1 (web-1) is at weight 0; run ${first} saved weight 100 before draining it`,
    );
    expect(plan.stdout).toContain('i-emu-web-1 (web-1, weight 0 → 100)');

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
    const web1 = doc.report.nodes.find((n: { id: string }) => n.id === 'i-emu-web-1');
    expect(web1).toMatchObject({
      state: 'done',
      weightBefore: 0,
      weightAfter: 100,
      kernelAfter: NEW,
      atZero: { action: 'restore', weight: 100, from: 'saved', saved: { runId: first } },
    });
    // The weight the first run saved was kept as it was, not written over by the second.
    const elsewhere = { ...env, home: join(env.dir, 'elsewhere', '.drainctl') };
    const drain = (await journal(elsewhere, doc.runId)).find(
      (e) => e.type === 'step' && e.action === 'node.drain' && e.node === 'i-emu-web-1',
    );
    expect(drain?.detail).toBe(
      `weight 0 → 0 on ${env.loadBalancerId}; comes back to 100 (already in the tag drainctl-weight-i-emu-web-1)`,
    );
    expect(endState(env).weights).toEqual(ALL_BACK);
    expect(await weightTags(env)).toEqual({});
  }, 240_000);
});
