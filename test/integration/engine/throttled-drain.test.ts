/**
 * A throttling storm on SetBackendServers while web-1 drains (the emulator's api-error fault,
 * injected through its admin API), through the real binary: the run logs the retries and
 * journals them for the step, `drainctl status` — another process — shows them under the node
 * while they last and no more once the call went through, and the run completes.
 */
import { describe, expect, it } from 'vitest';
import {
  drainctl,
  endState,
  journal,
  runEnvPerTest,
  spawnDrainctl,
  waitForEntry,
} from '#support/rollout-on-emulator.js';

const startEnv = runEnvPerTest();

describe('a throttled drain', () => {
  it('status shows the API retries in progress for the draining node, then the run completes', async () => {
    const env = await startEnv({ waitSeconds: 0 });
    // Five refusals in a row: with SLB's busy budget (1 s doubling, jittered) the call keeps
    // failing for 15–30 s before the sixth attempt goes through.
    const injected = await fetch(`${env.emu.endpoint}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'api-error',
        action: 'SetBackendServers',
        code: 'Throttling.User',
        count: 5,
      }),
    });
    expect(injected.status).toBe(200);
    const { done } = spawnDrainctl(env, ['run', env.workflow, '--yes']);
    const { runId } = await waitForEntry(
      env,
      (e) => e.type === 'note' && e.cloudRetry !== undefined,
      done,
    );

    const live = await drainctl(env, ['status', runId]);
    expect(live.code).toBe(0);
    const lines = live.stdout.split('\n');
    const node = lines.findIndex((l) => l.startsWith('  web-1 (i-emu-web-1) batch 1: draining'));
    expect(node, live.stdout).toBeGreaterThan(0);
    expect(
      lines.slice(node + 1).find((l) => l.includes('API retries')),
      live.stdout,
    ).toMatch(
      /^ {6}API retries since \d\d:\d\d:\d\d: SetBackendServers throttled \(Throttling\.User\), retrying: \d attempts, \d+ s so far \(noted \d\d:\d\d:\d\d\)$/,
    );

    const run = await done;
    expect(run.code, run.stderr).toBe(0);
    expect(endState(env).weights).toEqual({
      'i-emu-web-1': 100,
      'i-emu-web-2': 100,
      'i-emu-web-3': 100,
    });
    // The run said so on stderr too, naming the node and its step.
    expect(run.stderr).toMatch(
      /web-1 \(i-emu-web-1\) step \d+: SetBackendServers throttled \(Throttling\.User\), retrying/,
    );
    const notes = (await journal(env, runId)).filter((e) => e.type === 'note' && e.cloudRetry);
    expect(notes.at(-1)).toMatchObject({
      node: 'i-emu-web-1',
      message: expect.stringMatching(/^SetBackendServers went through after 6 attempts, \d+ s$/),
      cloudRetry: { action: 'SetBackendServers', recovered: true },
    });
    const after = await drainctl(env, ['status', runId]);
    expect(after.stdout).not.toContain('API retries');
  }, 150_000);
});
