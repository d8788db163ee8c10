/**
 * Fleet runs (test/support/fleet-run-env.ts) that halt: a drain that fails before the host is
 * touched puts every attachment back to its recorded weight, and `resume --retry` takes the
 * server through again; a minHealthy breach on one vServer group alone blocks the server that
 * would leave it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BEFORE,
  drainctl,
  fleetEnvPerTest,
  savedTags,
  WEB1,
  WEB2,
  weights,
} from '#support/fleet-run-env.js';
import { journal, latestRunId } from '#support/rollout-on-emulator.js';

describe('drainctl run of a fleet workflow that halts', () => {
  const fleetEnv = fleetEnvPerTest();

  it('puts every attachment back to its recorded weight when the drain fails before the host is touched', async () => {
    const env = await fleetEnv({
      drainProbe: `{ kind: access-log, source: local, path: '${'$'}{EMU_STATE}/nowhere/{instanceId}.log' }`,
    });
    const run = await drainctl(env, ['run', env.workflow, '--yes'], {
      EMU_STATE: env.emu.stateDir,
    });
    expect(run.code, run.stderr).toBe(2);
    expect(await weights(env)).toEqual(BEFORE);
    expect(await savedTags(env)).toEqual({});
    const entries = await journal(env, await latestRunId(env));
    const undone = entries.filter(
      (e) => e.type === 'intent' && e.node === WEB1 && e.compensates !== undefined,
    );
    expect(undone.map((e) => [e.target, e.to])).toEqual(
      expect.arrayContaining([
        [{ attachment: true, loadBalancerId: env.core, serverId: WEB1 }, { weight: 50 }],
        [
          {
            attachment: true,
            loadBalancerId: env.core,
            serverId: WEB1,
            vServerGroupId: env.api,
            port: 8080,
          },
          { weight: 30 },
        ],
        [{ attachment: true, loadBalancerId: env.edge, serverId: WEB1 }, { weight: 80 }],
      ]),
    );
    expect(undone).toHaveLength(3);
    // Its host was never touched, and web-2 never left.
    expect(entries.some((e) => e.type === 'intent' && e.op === 'run-command')).toBe(false);
    expect(entries.some((e) => e.type === 'intent' && e.node === WEB2)).toBe(false);

    // The logs appear (the operator fixed it): `resume --retry` drains web-1 everywhere again.
    const logs = join(env.emu.stateDir, 'nowhere');
    await mkdir(logs, { recursive: true });
    for (const id of [WEB1, WEB2]) await writeFile(join(logs, `${id}.log`), '');
    const runId = await latestRunId(env);
    const retried = await drainctl(env, ['resume', runId, '--retry', WEB1, '--yes'], {
      EMU_STATE: env.emu.stateDir,
    });
    expect(retried.code, retried.stderr).toBe(0);
    expect(await weights(env)).toEqual(BEFORE);
    const after = await journal(env, runId);
    const verified = after.filter((e) => e.type === 'step' && e.action === 'node.verify');
    expect(verified.map((e) => [e.node, e.status])).toEqual([
      [WEB1, 'ok'],
      [WEB2, 'ok'],
    ]);
  }, 120_000);

  it('blocks a server whose leaving would breach minHealthy on one vServer group alone', async () => {
    // The solo group's breach never clears: a short patience halts as surely as 60 s would.
    const env = await fleetEnv({ soloGroup: true, gatePatienceSeconds: 5 });
    const run = await drainctl(env, ['run', env.workflow, '--yes']);
    expect(run.code, run.stderr).toBe(2);
    const entries = await journal(env, await latestRunId(env));
    const gate = entries.filter((e) => e.type === 'gate' && e.node === WEB2).at(-1);
    expect(gate?.passed).toBe(false);
    expect(String(gate?.summary)).toContain('vServer group solo');
    expect(String(gate?.summary)).toContain(`0 healthy weighted server(s) would remain`);
    // web-1 went through; web-2 was never touched anywhere.
    expect(await weights(env)).toEqual({ ...BEFORE, [`solo ${WEB2}:8080`]: 100 });
    expect(entries.some((e) => e.type === 'intent' && e.node === WEB2)).toBe(false);
  }, 240_000);
});
