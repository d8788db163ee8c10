/**
 * A server found at weight 0, through the real binary against the emulator (docs/engine.md §5):
 *
 * - a run killed right after web-1 went to weight 0, then a run of the same workflow from
 *   another DRAINCTL_HOME with --break-lock: web-1 goes back to the weight the first run saved
 *   on the balancer before draining it, and the report says where that weight came from;
 * - a server set to 0 by hand (nothing saved): left as found — no patch, no reboot — named, and
 *   the run ends halted (exit 2) with a hint naming both choices; `--leave-at-zero` ends 0,
 *   `--restore-weight` patches it and brings it back;
 * - the tags' life: none left after a completed run, kept for a node left out, and a later run
 *   from another home brings that node back to it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulatorPorts } from '#support/balancer-by-hand.js';
import { type CliRun, runDrainctl } from '#support/cli-runner.js';
import {
  drainctl,
  endState,
  journal,
  latestRunId,
  NODES,
  type RunEnv,
  runEnvPerTest,
  spawnDrainctl,
  waitForEntry,
} from '#support/rollout-on-emulator.js';

const startEnv = runEnvPerTest();

const OLD = '3.10.0-1160.el7.x86_64';
const NEW = '3.10.0-1160.119.1.el7.x86_64';
const ALL_BACK = { 'i-emu-web-1': 100, 'i-emu-web-2': 100, 'i-emu-web-3': 100 };

/** The same workflow, run by someone else: another working directory, so another home. */
async function fromAnotherHome(env: RunEnv, args: string[]): Promise<CliRun> {
  const other = join(env.dir, 'elsewhere');
  await mkdir(other, { recursive: true });
  return runDrainctl(args, {
    cwd: other,
    env: { ...env.env, DRAINCTL_HOME: join(other, '.drainctl') },
    timeoutMs: 90_000,
  });
}

/** Runs after the first judge a server patched by an earlier one patched too. */
async function verifyEqualsNew(env: RunEnv): Promise<void> {
  const text = await readFile(env.workflow, 'utf8');
  await writeFile(env.workflow, text.replace('expect: changed', `expect: { equals: ${NEW} }`));
}

async function weightTags(env: RunEnv): Promise<Record<string, string>> {
  const tags = await emulatorPorts(env.emu).loadBalancer.getTags(env.loadBalancerId);
  return Object.fromEntries(
    Object.entries(tags).filter(([key]) => key.startsWith('drainctl-weight-')),
  );
}

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
