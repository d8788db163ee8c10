/**
 * `drainctl run` of a fleet workflow against the emulator: web-1 sits behind two balancers
 * (edge and core, default server groups) and in core's vServer group `api`; it is drained from
 * all three at once and restored to each one's own weight. (Resume after a kill:
 * fleet-run-resume.test.ts; halts: fleet-run-halts.test.ts — apart, so they run in parallel.)
 */
import { describe, expect, it } from 'vitest';
import {
  BEFORE,
  drainctl,
  fleetEnvPerTest,
  savedTags,
  WEB1,
  web1Drain,
  weights,
} from '#support/fleet-run-env.js';
import { journal, latestRunId } from '#support/rollout-on-emulator.js';

describe('drainctl run of a fleet workflow', () => {
  const fleetEnv = fleetEnvPerTest();

  it('drains a server from two balancers and a vServer group at once and restores each weight', async () => {
    const env = await fleetEnv();
    expect(await weights(env)).toEqual(BEFORE);
    const run = await drainctl(env, ['run', env.workflow, '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Load balancers:');
    expect(await weights(env)).toEqual(BEFORE);
    expect(await savedTags(env)).toEqual({});

    const entries = await journal(env, await latestRunId(env));
    const drain = web1Drain(entries);
    // Three intents, each with its live weight, all before the first call's result.
    expect(drain.map((e) => e.type)).toEqual([
      'intent',
      'intent',
      'intent',
      'result',
      'result',
      'result',
    ]);
    const intents = drain.filter((e) => e.type === 'intent');
    expect(intents.every((e) => (e.to as { weight: number }).weight === 0)).toBe(true);
    expect(
      intents.map((e) => `${JSON.stringify(e.target)} ${JSON.stringify(e.before)}`).sort(),
    ).toEqual(
      [
        `{"attachment":true,"loadBalancerId":"${env.core}","serverId":"${WEB1}"} {"weight":50}`,
        `{"attachment":true,"loadBalancerId":"${env.core}","serverId":"${WEB1}","vServerGroupId":"${env.api}","port":8080} {"weight":30}`,
        `{"attachment":true,"loadBalancerId":"${env.edge}","serverId":"${WEB1}"} {"weight":80}`,
      ].sort(),
    );
    // Both servers were patched.
    const done = entries.filter((e) => e.type === 'step' && e.action === 'node.verify');
    expect(done.map((e) => e.status)).toEqual(['ok', 'ok']);
    const status = await drainctl(env, ['status', await latestRunId(env)]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('web-1');
  }, 180_000);
});
