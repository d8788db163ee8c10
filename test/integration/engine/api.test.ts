/**
 * The programmatic API (the package entry) against the emulator, in process: plan, run,
 * status — with the environment passed in, not taken from process.env.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plan, run, status } from '#src/index.js';
import { createLogger } from '#src/log/index.js';
import { endState, type RunEnv, startRunEnv } from '#support/rollout-on-emulator.js';

let env: RunEnv;
beforeAll(async () => {
  env = await startRunEnv({});
});
afterAll(async () => {
  await env?.close();
});

describe('programmatic API', () => {
  it('plans, runs and reads back a rollout', async () => {
    const options = { env: env.env, cwd: env.dir, logger: createLogger({ level: 'silent' }) };
    const p = await plan('crash-three.yaml', options);
    expect(p.workflow.file).toBe('crash-three.yaml');
    expect(p.nodes.map((n) => n.id)).toEqual(['i-emu-web-1', 'i-emu-web-2', 'i-emu-web-3']);
    const result = await run(p, { ...options, planSha256: p.sha256 });
    expect(result.outcome).toBe('completed');
    expect(result.exitCode).toBe(0);
    expect(endState(env).weights).toEqual({
      'i-emu-web-1': 100,
      'i-emu-web-2': 100,
      'i-emu-web-3': 100,
    });
    const s = await status(undefined, options);
    expect(s.runId).toBe(result.runId);
    expect(s.running).toBe(false);
    expect(s.report.outcome).toBe('completed');
  }, 120_000);

  it('refuses a plan that is not the approved one, before any change', async () => {
    const options = { env: env.env, cwd: env.dir, logger: createLogger({ level: 'silent' }) };
    await expect(
      run('crash-three.yaml', { ...options, planSha256: 'b'.repeat(64) }),
    ).rejects.toMatchObject({
      code: 'PLAN_CHANGED',
    });
  }, 60_000);
});
