// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is workflow syntax
/**
 * `drainctl run` with an alert gate, against the emulator and a loopback stand-in answering as
 * Prometheus's /api/v1/query does: the composition root wires the checker, the runbook shows the
 * gate, a firing alert holds the first server in service while `status` says why, and the run
 * goes on once it clears; a Prometheus that cannot be reached halts the run with every server
 * serving. The token never reaches the journal or the output.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
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

const TOKEN = 'prom-token-4f1e9c2b7a';
const FIRING = [{ alertname: 'HighErrorRate', alertstate: 'firing', severity: 'critical' }];

const runEnv = runEnvPerTest();
let prometheus: Server | undefined;
afterEach(async () => {
  prometheus?.closeAllConnections();
  await new Promise((resolve) => (prometheus ? prometheus.close(resolve) : resolve(undefined)));
  prometheus = undefined;
});

/** A stand-in that answers the alerts of `firing()` as an instant vector. */
async function standIn(
  firing: () => Array<Record<string, string>>,
  seen: IncomingMessage[],
): Promise<string> {
  prometheus = createServer((request, response) => {
    seen.push(request);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'vector',
          result: firing().map((metric) => ({ metric, value: [1_700_000_000, '1'] })),
        },
      }),
    );
  });
  await new Promise<void>((resolve) => prometheus?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`;
}

async function withAlertGate(env: RunEnv, block: string): Promise<void> {
  await writeFile(env.workflow, `${await readFile(env.workflow, 'utf8')}${block}`);
}

describe('drainctl run with an alert gate', () => {
  it('holds the first server while an alert fires, says so in status, and goes on once it clears', async () => {
    const env = await runEnv();
    let alerts = FIRING;
    const seen: IncomingMessage[] = [];
    const url = await standIn(() => alerts, seen);
    await withAlertGate(
      env,
      `alertGate:\n  prometheusUrl: ${url}\n  pollSeconds: 1\n  maxWaitMinutes: 2\n  auth:\n    bearerToken: \${PROM_TOKEN}\n`,
    );
    const extra = { PROM_TOKEN: TOKEN };

    const plan = await drainctl(env, ['plan', env.workflow], extra);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      `  - alert gate: nothing matches ALERTS{alertstate="firing"} on ${url}, bearer token; while it returns anything the server waits (asked every 1 s, up to 2 min)`,
    );
    expect(plan.stdout).not.toContain(TOKEN);
    const json = await drainctl(env, ['plan', env.workflow, '--json'], extra);
    expect(JSON.parse(json.stdout).alertGate).toEqual({
      prometheusUrl: url,
      query: 'ALERTS{alertstate="firing"}',
      labels: {},
      timeoutMs: 5000,
      auth: { bearerToken: '[REDACTED]' },
      maxWaitMinutes: 2,
      pollSeconds: 1,
    });

    const run = spawnDrainctl({ ...env, env: { ...env.env, ...extra } }, [
      'run',
      env.workflow,
      '--yes',
    ]);
    await waitForEntry(env, (e) => e.type === 'note' && e.waiting === true, run.done);
    const status = await drainctl(env, ['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(
      /since \d\d:\d\d:\d\d: waiting for the alert gate: 1 series match ALERTS\{alertstate="firing"\}: HighErrorRate\{severity="critical"\}/,
    );
    expect(endState(env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));

    alerts = [];
    const done = await run.done;
    expect(done.code, done.stderr).toBe(0);
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const entries = await journal(env, await latestRunId(env));
    expect(JSON.stringify(entries)).not.toContain(TOKEN);
    expect(`${done.stdout}${done.stderr}`).not.toContain(TOKEN);
    expect(entries[0]).toMatchObject({ type: 'plan', redacted: true });
    const gates = entries.filter(
      (e) => e.type === 'gate' && (e.checks as Array<{ name: string }>)[0]?.name === 'alerts',
    );
    expect(gates.map((g) => [g.node, g.passed])).toEqual(NODES.map((id) => [id, true]));
  }, 120_000);

  it('killed while it waits, the run resumes with its masked plan rebuilt and goes on once the alert clears', async () => {
    const env = await runEnv();
    let alerts = FIRING;
    const url = await standIn(() => alerts, []);
    await withAlertGate(
      env,
      `alertGate:\n  prometheusUrl: ${url}\n  pollSeconds: 1\n  auth:\n    bearerToken: \${PROM_TOKEN}\n`,
    );
    const withToken = { ...env, env: { ...env.env, PROM_TOKEN: TOKEN } };
    const run = spawnDrainctl(withToken, ['run', env.workflow, '--yes']);
    const { runId } = await waitForEntry(
      env,
      (e) => e.type === 'note' && e.waiting === true,
      run.done,
    );
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');

    alerts = [];
    const resumed = await drainctl(env, ['resume', runId, '--yes'], { PROM_TOKEN: TOKEN });
    expect(resumed.code, resumed.stderr).toBe(0);
    const entries = await journal(env, runId);
    expect(entries.filter((e) => e.type === 'resume')).toHaveLength(1);
    expect(endState(env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));
    expect(JSON.stringify(entries)).not.toContain(TOKEN);
  }, 120_000);

  it('halts with every server serving when Prometheus cannot be reached (fails closed)', async () => {
    const env = await runEnv();
    const url = await standIn(() => [], []);
    await new Promise((resolve) => prometheus?.close(resolve)); // nothing listens there now
    prometheus = undefined;
    await withAlertGate(env, `alertGate:\n  prometheusUrl: ${url}\n  maxWaitMinutes: 0\n`);

    const run = await drainctl(env, ['run', env.workflow, '--yes']);
    expect(run.code, run.stderr).toBe(2);
    expect(`${run.stdout}\n${run.stderr}`).toMatch(
      /alert gate blocked: cannot evaluate the alert gate \(fails closed\): Prometheus at http:\/\/127\.0\.0\.1:\d+ cannot be reached/,
    );
    expect(endState(env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));
  }, 120_000);
});
