/**
 * `gates` of a stateful system in a whole `drainctl run` against the emulator: the runbook shows
 * each gate where it runs (before-gates before the capacity gate, after-gates between verify and
 * restore); a before-gate that does not pass yet holds the server in service, journaled as a wait,
 * until it does, and a run killed while it waits resumes and asks it again; one that never passes
 * halts the run with every server serving; an after-gate that never passes keeps its server at
 * weight 0 and halts.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
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

const runEnv = runEnvPerTest();
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** An HTTP endpoint on loopback answering as `answer` says: the system an HTTP gate asks. */
async function standIn(answer: (url: string) => { status: number; body: string }): Promise<number> {
  server = createServer((request, response) => {
    const { status, body } = answer(request.url ?? '');
    response.writeHead(status, { 'content-type': 'text/plain' });
    response.end(body);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function withGates(env: RunEnv, block: string): Promise<void> {
  await writeFile(env.workflow, `${await readFile(env.workflow, 'utf8')}${block}`);
}

describe('drainctl run with gates of a stateful system', () => {
  it('plans the gates in place, holds a server in service until its before-gate passes, then rolls through', async () => {
    const env = await runEnv();
    const lagging = join(env.dir, 'lagging');
    await writeFile(lagging, 'under-replicated\n');
    const asked: string[] = [];
    const port = await standIn((url) => {
      asked.push(url);
      return { status: 200, body: 'followers synced' };
    });
    await withGates(
      env,
      `gates:
  before:
    - { type: command, name: in-sync, command: "test ! -e ${lagging}", intervalSeconds: 1, timeoutSeconds: 120 }
  after:
    - { type: command, name: caught-up, command: "echo offset-ok {instanceId}", outputMatches: "^offset-ok i-emu-web-", intervalSeconds: 1, timeoutSeconds: 30 }
    - { type: http, name: quorum, host: 127.0.0.1, port: ${port}, path: /status, bodyMatch: "synced", intervalSeconds: 1, timeoutSeconds: 30 }
`,
    );
    const plan = await drainctl(env, ['plan', env.workflow]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      `Before-gate in-sync for i-emu-web-1 (web-1): \`test ! -e ${lagging}\` on this machine exits 0, asked every 1 s until it passes (within 2 min, else it does not leave service and the rollout halts)`,
    );
    expect(plan.stdout).toContain(
      'After-gate caught-up for i-emu-web-2 (web-2): `echo offset-ok i-emu-web-2` on this machine exits 0 and its output matches /^offset-ok i-emu-web-/',
    );
    const json = JSON.parse((await drainctl(env, ['plan', env.workflow, '--json'])).stdout);
    const actions = (
      json.steps as Array<{ node?: string; action: string; params: { when?: string } }>
    )
      .filter((s) => s.node === 'i-emu-web-1')
      .map((s) => (s.action === 'node.state-gate' ? `state-gate:${s.params.when}` : s.action));
    expect(actions.indexOf('state-gate:before')).toBe(actions.indexOf('gate') - 1);
    expect(actions.indexOf('state-gate:after')).toBe(actions.indexOf('node.verify') + 1);
    expect(actions.indexOf('node.restore')).toBe(actions.lastIndexOf('state-gate:after') + 1);

    const run = spawnDrainctl(env, ['run', env.workflow, '--yes']);
    await waitForEntry(
      env,
      (e) =>
        e.type === 'note' &&
        e.waiting === true &&
        String(e.message).includes('before-gate in-sync'),
      run.done,
    );
    const status = await drainctl(env, ['status']);
    expect(status.stdout).toContain(
      'waiting for before-gate in-sync: expected exit 0, got failed, exit 1',
    );
    expect(endState(env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));

    await rm(lagging);
    const done = await run.done;
    expect(done.code, done.stderr).toBe(0);
    expect(endState(env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));
    const entries = await journal(env, await latestRunId(env));
    const gates = entries
      .filter((e) => e.type === 'gate' && String(e.step).includes('node.state-gate'))
      .map((e) => [e.node, (e.checks as Array<{ name: string }>)[0]?.name, e.passed]);
    expect(gates).toEqual(
      NODES.flatMap((id) => [
        [id, 'in-sync', true],
        [id, 'caught-up', true],
        [id, 'quorum', true],
      ]),
    );
    expect(asked).toEqual(['/status', '/status', '/status']);
  }, 120_000);

  it('killed while a before-gate waits, the run resumes, asks the gate again and goes on once it passes', async () => {
    const env = await runEnv();
    const lagging = join(env.dir, 'lagging');
    await writeFile(lagging, 'under-replicated\n');
    await withGates(
      env,
      `gates:\n  before:\n    - { type: command, name: in-sync, command: "test ! -e ${lagging}", intervalSeconds: 1, timeoutSeconds: 120 }\n`,
    );
    const run = spawnDrainctl(env, ['run', env.workflow, '--yes']);
    const { runId } = await waitForEntry(
      env,
      (e) =>
        e.type === 'note' &&
        e.waiting === true &&
        String(e.message).includes('before-gate in-sync'),
      run.done,
    );
    run.child.kill('SIGKILL');
    await run.done;
    expect(endState(env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));

    await rm(lagging);
    const resumed = await drainctl(env, ['resume', runId, '--yes']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(endState(env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));
    const passed = (await journal(env, runId)).filter(
      (e) => e.type === 'gate' && String(e.step).includes('node.state-gate') && e.passed === true,
    );
    expect(passed.map((e) => e.node)).toEqual([...NODES]);
  }, 120_000);

  it('a before-gate that never passes halts with every server serving; an after-gate, with its server at weight 0', async () => {
    const env = await runEnv();
    const never = join(env.dir, 'never');
    await withGates(
      env,
      `gates:\n  before:\n    - { type: command, name: quorum, command: "test -e ${never}", intervalSeconds: 1, timeoutSeconds: 2 }\n`,
    );
    const blocked = await drainctl(env, ['run', env.workflow, '--yes']);
    expect(blocked.code, blocked.stderr).toBe(2);
    expect(`${blocked.stdout}${blocked.stderr}`).toContain(
      'before-gate quorum did not pass within 2s',
    );
    expect(endState(env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));

    await writeFile(
      env.workflow,
      (await readFile(env.workflow, 'utf8')).replace('  before:\n', '  after:\n'),
    );
    const left = await drainctl(env, ['run', env.workflow, '--yes', '--new-run']);
    expect(left.code, left.stderr).toBe(2);
    expect(`${left.stdout}${left.stderr}`).toContain('after-gate quorum did not pass within 2s');
    expect(endState(env).weights).toEqual({
      'i-emu-web-1': 0,
      'i-emu-web-2': 100,
      'i-emu-web-3': 100,
    });
  }, 120_000);
});
