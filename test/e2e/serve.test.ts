/**
 * `drainctl serve` as a user starts it, against the emulator: tokens and roles, bodies, a run
 * started over the API that patches the fleet and that `drainctl status` sees, its events, the
 * lock between two runs, SIGTERM in the middle of a run, and a run left unfinished by a crash.
 */
import { describe, expect, it } from 'vitest';
import {
  drainctl,
  endState,
  journal,
  latestRunId,
  NODES,
  runEnvPerTest,
  waitForEntry,
} from '#support/rollout-on-emulator.js';
import { openEventStream, serveYaml, startServeProcess } from '#support/serve-process.js';

const runEnv = runEnvPerTest();

describe('drainctl serve', () => {
  it('answers by token and role, and refuses bad bodies', async () => {
    const env = await runEnv();
    const serve = await startServeProcess(env);
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    expect((await serve.request('GET', '/healthz')).status).toBe(200);
    expect((await serve.request('GET', '/api/runs')).status).toBe(401);
    expect((await serve.request('GET', '/api/runs', { token: 'not-a-token' })).status).toBe(401);
    expect((await serve.request('GET', '/api/runs', { token: 'viewer' })).status).toBe(200);
    const viewerStart = await serve.request('POST', '/api/runs', {
      token: 'viewer',
      body: { workflow: 'three' },
    });
    expect(viewerStart.status).toBe(403);
    const approverStart = await serve.request('POST', '/api/runs', {
      token: 'approver',
      body: { workflow: 'three' },
    });
    expect(approverStart.status).toBe(403);

    const huge = await serve.request('POST', '/api/runs', {
      token: 'operator',
      raw: JSON.stringify({ workflow: 'x'.repeat(20_000) }),
    });
    expect(huge.status).toBe(413);
    const bad = await serve.request('POST', '/api/runs', {
      token: 'operator',
      body: { workflow: 3 },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ path: 'workflow', expected: 'text', found: '3' });
    const notJson = await serve.request('POST', '/api/runs', { token: 'operator', raw: '{' });
    expect(notJson.status).toBe(400);
    const unknown = await serve.request('POST', '/api/runs', {
      token: 'operator',
      body: { workflow: 'nope' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 'UNKNOWN_WORKFLOW' });
    const notAnId = await serve.request('GET', '/api/runs/..%2Fx', { token: 'viewer' });
    expect(notAnId.status).toBe(400);
    const noSuchRun = await serve.request('GET', '/api/runs/r-20261121-020000-1a2b', {
      token: 'viewer',
    });
    expect(noSuchRun.status).toBe(404);
    expect(noSuchRun.json.error).toMatchObject({ code: 'RUN_NOT_FOUND' });
    // Nothing was started by any of them.
    expect(Object.values(endState(env).weights)).toEqual([100, 100, 100]);
    serve.child.kill('SIGTERM');
    expect((await serve.done).code).toBe(0);
  });

  it('runs a catalog workflow: the fleet is patched, status sees it, events stream, metrics count', async () => {
    const env = await runEnv({ waitSeconds: 1 });
    const serve = await startServeProcess(env);
    const stream = await openEventStream(serve);
    const kernelsBefore = endState(env).kernels;
    // One throttled weight change, which the retry policy rides out: the metrics count it.
    const fault = await fetch(`${env.emu.endpoint}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'api-error',
        action: 'SetBackendServers',
        code: 'Throttling.User',
        count: 1,
      }),
    });
    expect(fault.ok).toBe(true);

    const started = await serve.request('POST', '/api/runs', {
      token: 'operator',
      body: { workflow: 'three' },
    });
    expect(started.status).toBe(202);
    const runId = String(started.json.runId);
    expect(started.json).toMatchObject({ workflow: 'three', by: 'api:ops' });

    // A second run on the same balancer is refused by the first one's lock.
    const second = await serve.request('POST', '/api/runs', {
      token: 'operator',
      body: { workflow: 'three' },
    });
    expect(second.status).toBe(409);
    expect(second.json.error).toMatchObject({ code: 'LOCK_HELD' });

    await expect
      .poll(
        async () =>
          (await serve.request('GET', `/api/runs/${runId}`, { token: 'viewer' })).json.outcome,
        {
          timeout: 120_000,
          interval: 500,
        },
      )
      .toBe('completed');

    const end = endState(env);
    expect(end.weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));
    for (const id of NODES) expect(end.kernels[id]).not.toBe(kernelsBefore[id]);

    // The CLI reads the same run from the same DRAINCTL_HOME.
    const status = await drainctl(env, ['status', runId, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ report: { outcome: 'completed' } });
    const text = await drainctl(env, ['status', runId]);
    expect(text.stdout.split('\n')[0]).toContain(
      `run ${runId} (crash-three, started by api:ops): completed`,
    );
    const entries = await journal(env, runId);
    expect(entries[0]).toMatchObject({ type: 'plan', startedBy: 'api:ops' });

    // Every node went through its states on the stream, and the run's end came last.
    await expect
      .poll(() => stream.events.at(-1)?.data.phase, { timeout: 10_000 })
      .toBe('completed');
    for (const id of NODES) {
      const states = stream.events
        .filter((e) => e.event === 'node' && e.data.node === id)
        .map((e) => e.data.state);
      expect(states).toEqual(expect.arrayContaining(['draining', 'drained', 'done']));
    }
    expect(stream.events[0]).toMatchObject({ event: 'run', data: { runId, phase: 'running' } });
    stream.close();

    const listed = await serve.request('GET', '/api/runs', { token: 'viewer' });
    expect(listed.json.runs).toEqual([
      expect.objectContaining({ runId, outcome: 'completed', startedBy: 'api:ops' }),
    ]);

    // Metrics need a viewer token unless serve.yaml makes them public.
    expect((await serve.request('GET', '/metrics')).status).toBe(401);
    const metrics = await serve.request('GET', '/metrics', { token: 'viewer' });
    expect(metrics.status).toBe(200);
    const line = (pattern: RegExp) => metrics.text.split('\n').find((l) => pattern.test(l));
    expect(line(/^drainctl_runs_total\{/)).toBe(
      'drainctl_runs_total{workflow="crash-three",outcome="completed"} 1',
    );
    expect(line(/^drainctl_drain_seconds_count /)).toBe('drainctl_drain_seconds_count 3');
    expect(line(/^drainctl_nodes_out_of_service /)).toBe('drainctl_nodes_out_of_service 0');
    expect(
      line(/^drainctl_last_successful_run_timestamp_seconds\{workflow="crash-three"\} /),
    ).toBeDefined();
    expect(
      line(/^drainctl_cloud_api_calls_total\{action="SetBackendServers",code="OK"\} /),
    ).toBeDefined();
    expect(
      line(
        /^drainctl_cloud_api_calls_total\{action="SetBackendServers",code="Throttling.User"\} 1$/,
      ),
    ).toBeDefined();
    expect(
      line(/^drainctl_cloud_api_throttled_total\{action="SetBackendServers"\} 1$/),
    ).toBeDefined();
    expect(metrics.text).toContain('# TYPE drainctl_schedule_next_run_timestamp_seconds gauge');
    expect(line(/^process_cpu_user_seconds_total /)).toBeDefined();
    serve.child.kill('SIGTERM');
    expect((await serve.done).code).toBe(0);
  }, 120_000);

  it('SIGTERM mid-run stops the run safely, every node serving or named, and exits 0', async () => {
    const env = await runEnv({ waitSeconds: 30 });
    const serve = await startServeProcess(env, serveYaml('metrics: { public: true }'));
    const started = await serve.request('POST', '/api/runs', {
      token: 'operator',
      body: { workflow: 'three' },
    });
    expect(started.status).toBe(202);
    const runId = String(started.json.runId);
    await waitForEntry(env, (e) => e.type === 'result' && String(e.step).includes('node.drain-'));
    expect(Object.values(endState(env).weights)).toContain(0);
    const metrics = await serve.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^drainctl_nodes_out_of_service 1$/m);

    serve.child.kill('SIGTERM');
    const exit = await serve.done;
    expect(exit.code).toBe(0);
    const entries = await journal(env, runId);
    expect(entries).toContainEqual(
      expect.objectContaining({ type: 'abort-requested', source: 'SIGTERM' }),
    );
    expect(entries.at(-1)).toMatchObject({ type: 'done', outcome: 'halted' });
    // The drained node was put back: nobody is left out of service unnamed.
    expect(endState(env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));
  }, 120_000);

  it('aborts a run over the API as `drainctl abort` does, and keeps serving', async () => {
    const env = await runEnv({ waitSeconds: 30 });
    const serve = await startServeProcess(env);
    const started = await serve.request('POST', '/api/runs', {
      token: 'operator',
      body: { workflow: 'three' },
    });
    const runId = String(started.json.runId);
    await waitForEntry(env, (e) => e.type === 'result' && String(e.step).includes('node.drain-'));
    const viewer = await serve.request('POST', `/api/runs/${runId}/abort`, { token: 'viewer' });
    expect(viewer.status).toBe(403);
    const aborted = await serve.request('POST', `/api/runs/${runId}/abort`, { token: 'operator' });
    expect(aborted.status).toBe(202);
    await expect
      .poll(async () => (await journal(env, runId)).at(-1), { timeout: 60_000, interval: 250 })
      .toMatchObject({ type: 'done', outcome: 'halted' });
    expect(await journal(env, runId)).toContainEqual(
      expect.objectContaining({ type: 'abort-requested', source: 'drainctl abort (api:ops)' }),
    );
    expect(endState(env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));
    // The server asked its own run to stop, not itself.
    expect((await serve.request('GET', '/healthz')).status).toBe(200);
    const again = await serve.request('POST', `/api/runs/${runId}/abort`, { token: 'operator' });
    expect(again.status).toBe(409);
    serve.child.kill('SIGTERM');
    expect((await serve.done).code).toBe(0);
  }, 120_000);

  it('lists a run left unfinished on start and does not resume it', async () => {
    const env = await runEnv({ waitSeconds: 0 });
    // A run that dies right after its first drain is confirmed (the crash tests' hook).
    const crashed = await drainctl(env, ['run', env.workflow, '--yes'], {
      DRAINCTL_TEST_CRASH_AT_SEQ: '8',
    });
    expect(crashed.signal ?? crashed.code).not.toBe(0);
    const runId = await latestRunId(env);
    const before = await journal(env, runId);
    expect(before.at(-1)?.type).not.toBe('done');

    const serve = await startServeProcess(env);
    await expect
      .poll(() => serve.stdout(), { timeout: 10_000 })
      .toContain(`unfinished: run ${runId}`);
    const listed = await serve.request('GET', '/api/runs', { token: 'viewer' });
    expect(listed.json.unfinished).toEqual([
      expect.objectContaining({ runId, state: 'interrupted' }),
    ]);
    // Nothing resumes it by itself: its journal stays as the crash left it.
    await new Promise((resolve) => setTimeout(resolve, 1500)); // showing that nothing happens
    expect(await journal(env, runId)).toEqual(before);

    const resumed = await serve.request('POST', `/api/runs/${runId}/resume`, { token: 'operator' });
    expect(resumed.status).toBe(202);
    await expect
      .poll(async () => (await journal(env, runId)).at(-1)?.type, {
        timeout: 120_000,
        interval: 500,
      })
      .toBe('done');
    const after = await journal(env, runId);
    expect(after).toContainEqual(expect.objectContaining({ type: 'resume', by: 'api:ops' }));
    expect(after.at(-1)).toMatchObject({ outcome: 'completed' });
    serve.child.kill('SIGTERM');
    expect((await serve.done).code).toBe(0);
  }, 120_000);
});
