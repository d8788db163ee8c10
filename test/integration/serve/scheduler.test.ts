// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax for environment references
/**
 * The scheduler of `drainctl serve`, in process on a clock the test sets, against the emulator
 * over HTTP: a changed plan waits for an approver (a wrong sha256 is refused, a viewer may not
 * approve), the approved night runs and patches the fleet, what a schedule remembers survives a
 * restart, a blackout day and a run in progress skip their night, a missed occurrence is told;
 * every decision reaches the webhook receiver, validly signed.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver } from '#mocks/receivers/index.js';
import { readEnvironment } from '#src/config/index.js';
import { BalancerLock } from '#src/engine/lock/balancer-lock.js';
import { createLogger } from '#src/log/index.js';
import type { Clock } from '#src/ports/index.js';
import { type RunningServe, startServe } from '#src/serve/index.js';
import {
  drainctl,
  endState,
  journal,
  NODES,
  type RunEnv,
  startRunEnv,
} from '#support/rollout-on-emulator.js';
import { callServeApi, firstSchedule, TOKENS } from '#support/serve-process.js';

const SECRET = 'scheduler-test-webhook-secret';
let env: RunEnv;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
const servers: RunningServe[] = [];

/** A wall clock the test sets; the scheduler's own sleeps end only when it stops. */
class SetClock implements Clock {
  constructor(private wall: number) {}
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return performance.now();
  }
  sleep(_ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((_resolve, reject) =>
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true }),
    );
  }
  setWall(ms: number): void {
    this.wall = ms;
  }
}

beforeAll(async () => {
  env = await startRunEnv({});
  receiver = await startWebhookReceiver({ token: 'scheduler-test-token', secret: SECRET });
  const yaml = [
    'catalog:',
    '  three: ./crash-three.yaml',
    'tokens:',
    '  - { name: ops, role: operator, token: "${SERVE_OPERATOR_TOKEN}" }',
    '  - { name: watcher, role: viewer, token: "${SERVE_VIEWER_TOKEN}" }',
    '  - { name: boss, role: approver, token: "${SERVE_APPROVER_TOKEN}" }',
    'publicUrl: https://drainctl.example.com/',
    'schedules:',
    '  - name: nightly',
    '    workflow: three',
    '    cron: "0 2 * * *"',
    '    timezone: Asia/Shanghai',
    '    windowMinutes: 120',
    '    blackout: [{ from: 2027-11-23, to: 2027-11-23, reason: sale }]',
    'notify:',
    '  channels:',
    '    - { type: webhook, url: "${HOOK_URL}", secret: "${HOOK_SECRET}" }',
  ].join('\n');
  await writeFile(join(env.dir, 'serve.yaml'), `${yaml}\n`);
  Object.assign(env.env, {
    SERVE_OPERATOR_TOKEN: TOKENS.operator,
    SERVE_VIEWER_TOKEN: TOKENS.viewer,
    SERVE_APPROVER_TOKEN: TOKENS.approver,
    HOOK_URL: receiver.url,
    HOOK_SECRET: SECRET,
  });
  // In process, the cloud SDK reads its credentials from this process's environment.
  for (const key of CLOUD_KEYS) {
    saved[key] = process.env[key];
    process.env[key] = env.env[key];
  }
});
// Every serve a test starts is shut down as it ends: they share DRAINCTL_HOME, and one left
// running ticks on with its own clock and writes the schedule's state under the next test (an
// approval waiting for a plan appeared under the lock test once, on a loaded machine).
afterEach(async () => {
  for (const serve of servers.splice(0)) await serve.shutdown('SIGTERM');
});
const CLOUD_KEYS = ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'] as const;
const saved: Record<string, string | undefined> = {};
afterAll(async () => {
  for (const key of CLOUD_KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  for (const serve of servers) await serve.shutdown('SIGTERM');
  await receiver?.close();
  await env?.close();
});

async function serveAt(clock: SetClock): Promise<RunningServe> {
  const serve = await startServe({
    configFile: join(env.dir, 'serve.yaml'),
    host: '127.0.0.1',
    port: 0,
    home: env.home,
    environment: readEnvironment(env.env, env.dir),
    env: env.env,
    cwd: env.dir,
    logger: createLogger({ level: process.env.TEST_LOG ?? 'silent' }),
    clock,
  });
  servers.push(serve);
  return serve;
}

function call(
  serve: RunningServe,
  method: string,
  path: string,
  token: keyof typeof TOKENS,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return callServeApi(serve.url, method, path, token, body);
}

function nightly(serve: RunningServe): Promise<Record<string, unknown>> {
  return firstSchedule(serve.url);
}

function told(): Array<Record<string, unknown>> {
  return receiver.messages().map((m) => {
    expect(m.accepted, m.body).toBe(true);
    return JSON.parse(m.body) as Record<string, unknown>;
  });
}

async function finished(serve: RunningServe, runId: string): Promise<unknown> {
  let outcome: unknown;
  await expect
    .poll(
      async () => {
        outcome = (await call(serve, 'GET', `/api/runs/${runId}`, 'viewer')).json.outcome;
        return outcome === 'running' || outcome === undefined;
      },
      { timeout: 120_000, interval: 500 },
    )
    .toBe(false);
  return outcome;
}

describe('scheduled patch nights', () => {
  it('waits for approval of a changed plan, runs once approved, and remembers across a restart', async () => {
    // 01:59 in Shanghai on 2027-11-21: nothing due yet.
    const clock = new SetClock(Date.parse('2027-11-20T17:59:00Z'));
    let serve = await serveAt(clock);
    await serve.scheduler.tick();
    const before = await nightly(serve);
    expect(before.next).toEqual(
      expect.arrayContaining([
        { local: '2027-11-21T02:00:00+08:00', utc: '2027-11-20T18:00:00.000Z' },
        {
          local: '2027-11-23T02:00:00+08:00',
          utc: '2027-11-22T18:00:00.000Z',
          blackout: 'sale (blackout 2027-11-23)',
        },
      ]),
    );
    const metrics = await fetch(`${serve.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKENS.viewer}` },
    }).then((r) => r.text());
    expect(metrics).toContain(
      `drainctl_schedule_next_run_timestamp_seconds{schedule="nightly"} ${Date.parse('2027-11-20T18:00:00Z') / 1000}`,
    );

    // 02:00:10: due; nothing was ever approved, so it plans and waits.
    clock.setWall(Date.parse('2027-11-20T18:00:10Z'));
    await serve.scheduler.tick();
    const waiting = await nightly(serve);
    const sha = String((waiting.approval as Record<string, unknown>).waitingFor);
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.values(endState(env).weights)).toEqual([100, 100, 100]);

    const viewer = await call(serve, 'POST', '/api/schedules/nightly/approve', 'viewer', {
      planSha256: sha,
    });
    expect(viewer.status).toBe(403);
    const operator = await call(serve, 'POST', '/api/schedules/nightly/approve', 'operator', {
      planSha256: sha,
    });
    expect(operator.status).toBe(403);
    const notSha = await call(serve, 'POST', '/api/schedules/nightly/approve', 'approver', {
      planSha256: 'abc',
    });
    expect(notSha.status).toBe(400);
    const wrong = await call(serve, 'POST', '/api/schedules/nightly/approve', 'approver', {
      planSha256: '0'.repeat(64),
    });
    expect(wrong.status).toBe(409);
    expect(wrong.json.error).toMatchObject({ code: 'PLAN_SHA_MISMATCH', expected: sha });
    const unknown = await call(serve, 'POST', '/api/schedules/weekly/approve', 'approver', {
      planSha256: sha,
    });
    expect(unknown.status).toBe(404);

    // A restart while it waits: the waiting plan is still the one to approve.
    await serve.shutdown('SIGTERM');
    serve = await serveAt(clock);
    const approved = await call(serve, 'POST', '/api/schedules/nightly/approve', 'approver', {
      planSha256: sha,
    });
    expect(approved.status).toBe(202);
    expect(approved.json).toMatchObject({ schedule: 'nightly', planSha256: sha, by: 'api:boss' });
    // The approval ticks at once. While the run is starting (its lock settles for over a second)
    // the state file already says so, with the wait cleared: a crash now does not start it again.
    const stateFile = join(env.home, 'schedules', 'nightly.json');
    await expect
      .poll(async () => JSON.parse(await readFile(stateFile, 'utf8')), { interval: 20 })
      .toMatchObject({ starting: { occurrence: '2027-11-20T18:00:00.000Z' } });
    expect(JSON.parse(await readFile(stateFile, 'utf8')).waiting).toBeUndefined();
    await serve.scheduler.tick();
    const ran = await nightly(serve);
    const runId = String((ran.lastRun as Record<string, unknown>).runId);
    expect(JSON.parse(await readFile(stateFile, 'utf8')).starting).toBeUndefined();
    expect(await finished(serve, runId)).toBe('completed');
    const run = await call(serve, 'GET', `/api/runs/${runId}`, 'viewer');
    expect(run.json).toMatchObject({ startedBy: 'schedule:nightly', planSha256: sha });
    // The approval is the run's too: journaled beside its plan, shown by `drainctl status`.
    const approval = { schedule: 'nightly', planSha256: sha, by: 'api:boss' };
    expect((await journal(env, runId))[0]).toMatchObject({ type: 'plan', approval });
    const status = await drainctl(env, ['status', runId]);
    expect(status.stdout).toContain(
      `plan ${sha} approved for schedule nightly by api:boss at 2027-11-20T18:00:10.000Z`,
    );
    expect(JSON.parse((await drainctl(env, ['status', runId, '--json'])).stdout)).toMatchObject({
      report: { approval },
    });
    expect(endState(env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));
    const metricsAfter = await fetch(`${serve.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKENS.viewer}` },
    }).then((r) => r.text());
    expect(metricsAfter).toContain(
      'drainctl_runs_total{workflow="crash-three",outcome="completed"} 1',
    );

    // The same occurrence never fires twice, after a restart either.
    await serve.shutdown('SIGTERM');
    serve = await serveAt(clock);
    clock.setWall(Date.parse('2027-11-20T18:30:00Z'));
    await serve.scheduler.tick();
    expect((await nightly(serve)).lastRun).toMatchObject({ runId });

    await expect
      .poll(() => JSON.stringify(told()))
      .toContain(`https://drainctl.example.com/runs/${runId}`);
    const kinds = told().map((m) => (m.event as Record<string, unknown>).kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['planned', 'approval-needed', 'started', 'node-done', 'finished']),
    );
  });

  it('skips a blackout day, a night with a run in progress, and tells a missed one', async () => {
    const clock = new SetClock(Date.parse('2027-11-21T18:00:05Z'));
    const serve = await serveAt(clock);
    // 2027-11-22 02:00: the plan is unchanged, so it runs without asking; started by hand first,
    // a run of the same workflow is in progress and the night is skipped.
    const started = await call(serve, 'POST', '/api/runs', 'operator', { workflow: 'three' });
    expect(started.status).toBe(202);
    await serve.scheduler.tick();
    await expect.poll(() => JSON.stringify(told())).toContain('skipped (overlap)');
    await finished(serve, String(started.json.runId));

    // 2027-11-23 02:00 is blacked out: skipped and told, nothing runs.
    const runs = (await call(serve, 'GET', '/api/runs', 'viewer')).json.runs as unknown[];
    clock.setWall(Date.parse('2027-11-22T18:00:05Z'));
    await serve.scheduler.tick();
    await expect.poll(() => JSON.stringify(told())).toContain('sale (blackout 2027-11-23)');
    expect((await call(serve, 'GET', '/api/runs', 'viewer')).json.runs).toHaveLength(runs.length);

    // 2027-11-24 02:00 passed while the server was down (first seen at 02:30): missed: skip.
    clock.setWall(Date.parse('2027-11-23T18:30:00Z'));
    await serve.scheduler.tick();
    await expect.poll(() => JSON.stringify(told())).toContain('passed while the server was down');
    expect((await call(serve, 'GET', '/api/runs', 'viewer')).json.runs).toHaveLength(runs.length);
  });

  it('does not start again an occurrence whose start a crash interrupted, and tells it', async () => {
    const file = join(env.home, 'schedules', 'nightly.json');
    const kept = await readFile(file, 'utf8').catch(() => undefined);
    await mkdir(join(env.home, 'schedules'), { recursive: true });
    // What a crash while starting the 2027-11-29 02:00 run leaves behind.
    const occurrence = '2027-11-28T18:00:00.000Z';
    await writeFile(
      file,
      JSON.stringify({
        lastFired: occurrence,
        carryOver: [],
        starting: { occurrence, at: '2027-11-28T18:00:05.000Z' },
      }),
    );
    try {
      // Counted before the server starts: its first tick may tell before the test's own does.
      const before = told().length;
      const serve = await serveAt(new SetClock(Date.parse('2027-11-28T18:01:00Z')));
      const runs = (await call(serve, 'GET', '/api/runs', 'viewer')).json.runs as unknown[];
      await serve.scheduler.tick();
      await expect
        .poll(() => JSON.stringify(told().slice(before)), { timeout: 10_000, interval: 100 })
        .toContain(`the run of the occurrence at ${occurrence} was starting`);
      expect(JSON.parse(await readFile(file, 'utf8')).starting).toBeUndefined();
      expect((await call(serve, 'GET', '/api/runs', 'viewer')).json.runs).toHaveLength(runs.length);
    } finally {
      if (kept === undefined) await rm(file, { force: true });
      else await writeFile(file, kept);
    }
  });

  it('tells once of a state file it cannot read, and lists the schedule with its trouble', async () => {
    const file = join(env.home, 'schedules', 'nightly.json');
    const kept = await readFile(file, 'utf8').catch(() => undefined);
    await mkdir(join(env.home, 'schedules'), { recursive: true });
    await writeFile(file, '{"lastFired": "2027-11-2');
    try {
      const clock = new SetClock(Date.parse('2027-11-27T18:00:05Z'));
      const serve = await serveAt(clock);
      const before = told().length;
      await serve.scheduler.tick();
      await serve.scheduler.tick();
      await expect
        .poll(() => JSON.stringify(told().slice(before)))
        .toContain('the schedule is stopped');
      const stopped = told()
        .slice(before)
        .filter((m) => JSON.stringify(m).includes('the schedule is stopped'));
      expect(stopped).toHaveLength(1);
      expect(stopped[0]?.event).toMatchObject({ kind: 'schedule-skipped', reason: 'error' });
      const listed = await call(serve, 'GET', '/api/schedules', 'viewer');
      expect(listed.status).toBe(200);
      expect(await nightly(serve)).toMatchObject({
        name: 'nightly',
        trouble: expect.stringContaining('nightly.json: not JSON'),
      });
    } finally {
      if (kept === undefined) await rm(file, { force: true });
      else await writeFile(file, kept);
    }
  });

  it('skips a night whose balancer is locked at start without announcing a plan, and refuses an approval nobody waits for', async () => {
    // Another process holds the balancer's lock but has no journal here: only starting the run
    // finds it.
    const clock = new SetClock(Date.parse('2027-11-24T18:00:05Z'));
    const serve = await serveAt(clock);
    const lock = await BalancerLock.acquire(env.loadBalancerId, {
      home: env.home,
      runId: 'r-20271125-015900-0000',
      clock,
    });
    try {
      const nothing = await call(serve, 'POST', '/api/schedules/nightly/approve', 'approver', {
        planSha256: '0'.repeat(64),
      });
      expect(nothing.status).toBe(409);
      expect(nothing.json.error).toMatchObject({ code: 'NOTHING_TO_APPROVE' });

      // 2027-11-25 02:00: the fleet was patched by hand since the last approval, so the plan
      // waits; approved, it finds the lock and is skipped.
      await serve.scheduler.tick();
      const sha = String(((await nightly(serve)).approval as Record<string, unknown>).waitingFor);
      const asked = told().length;
      const approved = await call(serve, 'POST', '/api/schedules/nightly/approve', 'approver', {
        planSha256: sha,
      });
      expect(approved.status).toBe(202);
      await expect.poll(() => JSON.stringify(told().slice(asked))).toContain('is held by');

      // 2027-11-26 02:00: the plan is the approved one and the lock is still held: the night is
      // skipped, and no `planned` went out before it.
      const before = told().length;
      clock.setWall(Date.parse('2027-11-25T18:00:05Z'));
      await serve.scheduler.tick();
      await expect.poll(() => JSON.stringify(told().slice(before))).toContain('skipped (overlap)');
      const kinds = told()
        .slice(before)
        .map((m) => (m.event as Record<string, unknown>).kind);
      expect(kinds).toEqual(['schedule-skipped']);
    } finally {
      await lock.release();
    }
  });
});
