/**
 * `drainctl run` of a fleet workflow against the emulator: web-1 sits behind two balancers
 * (edge and core, default server groups) and in core's vServer group `api`; it is drained from
 * all three at once and restored to each one's own weight. (Resume after a kill:
 * fleet-run-resume.test.ts; halts: fleet-run-halts.test.ts — apart, so they run in parallel.)
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
    const runId = await latestRunId(env);
    const status = await drainctl(env, ['status', runId]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('web-1');
    // Every balancer of the run, and each attachment of each server with its weights.
    const [first, second] = [env.core, env.edge].sort();
    expect(status.stdout).toContain(`on 2 balancer(s): web-slb (${first}), web-slb (${second})`);
    expect(status.stdout).toContain(`web-slb (${env.edge}), default server group: weight 80 → 80`);
    expect(status.stdout).toContain(`web-slb (${env.core}), default server group: weight 50 → 50`);
    expect(status.stdout).toMatch(
      new RegExp(
        `web-slb \\(${env.core}\\), vServer group api \\(${env.api}\\) port 8080: weight 30 → 30`,
      ),
    );
    const statusJson = JSON.parse((await drainctl(env, ['status', runId, '--json'])).stdout);
    expect(statusJson.report.loadBalancers.map((lb: { id: string }) => lb.id)).toEqual([
      first,
      second,
    ]);
    const report = await drainctl(env, ['report', runId, '--json']);
    expect(report.code, report.stderr).toBe(0);
    const timeline = JSON.parse(report.stdout);
    expect(timeline.loadBalancers.map((lb: { id: string }) => lb.id)).toEqual([first, second]);
    const web1 = timeline.servers.find((row: { id: string }) => row.id === WEB1);
    expect(
      web1.attachments.map((a: { loadBalancerId: string; weight: number }) => [
        a.loadBalancerId,
        a.weight,
      ]),
    ).toEqual(
      expect.arrayContaining([
        [env.edge, 80],
        [env.core, 50],
        [env.core, 30],
      ]),
    );
    expect(web1.attachments).toHaveLength(3);
    const html = join(env.dir, 'report.html');
    expect((await drainctl(env, ['report', runId, '--html', html])).code).toBe(0);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('load balancers (2)');
    expect(page).toContain(`web-slb (${env.edge})`);
    expect(page).toContain(`web-slb (${env.core})`);
  }, 180_000);
});
