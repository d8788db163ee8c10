// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax for environment references
/**
 * What a scheduled night waits for and where it ends, in process against the emulator over HTTP:
 * the alert gate (blocked → waits → clears → goes on; still blocked when the window closes →
 * skipped and told), and the window itself closing in the middle of a run (the run halts naming
 * the servers it did not reach, and the next night takes them first).
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver } from '#mocks/receivers/index.js';
import { readEnvironment } from '#src/config/index.js';
import { createLogger } from '#src/log/index.js';
import type { Clock } from '#src/ports/index.js';
import { type RunningServe, startServe } from '#src/serve/index.js';
import { journal, type RunEnv, startRunEnv } from '#support/rollout-on-emulator.js';
import { callServeApi, firstSchedule, TOKENS } from '#support/serve-process.js';

const SECRET = 'schedule-waits-webhook-secret';
const CLOUD_KEYS = ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'] as const;
const saved: Record<string, string | undefined> = {};
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => {
  for (const key of CLOUD_KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

/** A wall clock the test sets, or the real one; the scheduler's own sleeps end only when it stops. */
class TestClock implements Clock {
  constructor(private wall: number | undefined) {}
  now(): number {
    return this.wall ?? Date.now();
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

interface Night {
  env: RunEnv;
  serve: RunningServe;
  receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
}

/** An environment, a webhook receiver and a server with `schedule` (and `extra` serve.yaml). */
async function night(
  clock: TestClock,
  schedule: string,
  options: { extra?: string; waitSeconds?: number } = {},
): Promise<Night> {
  const env = await startRunEnv({ waitSeconds: options.waitSeconds ?? 0 });
  cleanups.push(() => env.close());
  const receiver = await startWebhookReceiver({ token: 'waits-token', secret: SECRET });
  cleanups.push(() => receiver.close());
  const yaml = [
    'catalog:',
    '  three: ./crash-three.yaml',
    'tokens:',
    '  - { name: watcher, role: viewer, token: "${SERVE_VIEWER_TOKEN}" }',
    '  - { name: boss, role: approver, token: "${SERVE_APPROVER_TOKEN}" }',
    'schedules:',
    `  - ${schedule}`,
    'notify:',
    '  channels:',
    '    - { type: webhook, url: "${HOOK_URL}", secret: "${HOOK_SECRET}" }',
    options.extra ?? '',
  ].join('\n');
  await writeFile(join(env.dir, 'serve.yaml'), `${yaml}\n`);
  Object.assign(env.env, {
    SERVE_VIEWER_TOKEN: TOKENS.viewer,
    SERVE_APPROVER_TOKEN: TOKENS.approver,
    HOOK_URL: receiver.url,
    HOOK_SECRET: SECRET,
  });
  // In process, the cloud SDK reads its credentials from this process's environment.
  for (const key of CLOUD_KEYS) {
    if (!(key in saved)) saved[key] = process.env[key];
    process.env[key] = env.env[key];
  }
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
  cleanups.push(() => serve.shutdown('SIGTERM'));
  return { env, serve, receiver };
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

function schedule(serve: RunningServe): Promise<Record<string, unknown>> {
  return firstSchedule(serve.url);
}

/**
 * The run the schedule starts next: at once when its plan is the approved one, else once the
 * plan it waits with is approved.
 */
async function nextRun(serve: RunningServe, previousRun?: string): Promise<string> {
  const started = (current: Record<string, unknown>) => {
    const runId = (current.lastRun as { runId?: string } | undefined)?.runId;
    return runId !== undefined && runId !== previousRun ? runId : undefined;
  };
  let current: Record<string, unknown> = {};
  await expect
    .poll(
      async () => {
        current = await schedule(serve);
        const waiting = (current.approval as Record<string, unknown>).waitingFor;
        return started(current) !== undefined || typeof waiting === 'string';
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  if (started(current) === undefined) {
    const approved = await call(
      serve,
      'POST',
      `/api/schedules/${String(current.name)}/approve`,
      'approver',
      { planSha256: (current.approval as Record<string, unknown>).waitingFor },
    );
    expect(approved.status).toBe(202);
  }
  let runId: string | undefined;
  await expect
    .poll(
      async () => {
        runId = started(await schedule(serve));
        return runId;
      },
      { timeout: 20_000 },
    )
    .toBeDefined();
  return runId ?? '';
}

async function outcome(serve: RunningServe, runId: string): Promise<unknown> {
  let found: unknown;
  await expect
    .poll(
      async () => {
        found = (await call(serve, 'GET', `/api/runs/${runId}`, 'viewer')).json.outcome;
        return found === 'running' || found === undefined;
      },
      { timeout: 120_000, interval: 500 },
    )
    .toBe(false);
  return found;
}

function told(
  receiver: Night['receiver'],
): Array<{ kind: string; reason?: string; detail?: string }> {
  return receiver.messages().map((m) => {
    expect(m.accepted, m.body).toBe(true);
    return (JSON.parse(m.body) as { event: { kind: string; reason?: string } }).event;
  });
}

/** A loopback stand-in answering as Prometheus's /api/v1/query: one firing alert or none. */
async function prometheus(firing: () => boolean): Promise<string> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    const metric = { alertname: 'HighErrorRate', alertstate: 'firing', severity: 'critical' };
    response.end(
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'vector',
          result: firing() ? [{ metric, value: [1_700_000_000, '1'] }] : [],
        },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('a scheduled night', () => {
  it('waits while the alert gate blocks, goes on once it clears, and is skipped if it never does', async () => {
    let firing = true;
    const url = await prometheus(() => firing);
    // 02:00:10 in Shanghai on 2027-11-21.
    const clock = new TestClock(Date.parse('2027-11-20T18:00:10Z'));
    const { serve, receiver } = await night(
      clock,
      '{ name: gated, workflow: three, cron: "0 2 * * *", timezone: Asia/Shanghai, windowMinutes: 120 }',
      { extra: `alertGate: { prometheusUrl: "${url}", pollSeconds: 1 }` },
    );
    await serve.scheduler.tick();
    expect((await schedule(serve)).waiting).toMatchObject({ on: 'alert-gate' });
    await expect.poll(() => told(receiver).map((e) => e.kind)).toContain('alert-gate-blocking');
    // Asked again on a later tick, still blocked: told once, nothing planned.
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the gate's pollSeconds
    await serve.scheduler.tick();
    expect(told(receiver).map((e) => e.kind)).toEqual(['alert-gate-blocking']);

    firing = false;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await serve.scheduler.tick();
    const runId = await nextRun(serve);
    expect(await outcome(serve, runId)).toBe('completed');

    // The next night the alert fires until the window closes (04:00): skipped and told.
    firing = true;
    clock.setWall(Date.parse('2027-11-21T18:00:10Z'));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await serve.scheduler.tick();
    expect((await schedule(serve)).waiting).toMatchObject({ on: 'alert-gate' });
    clock.setWall(Date.parse('2027-11-21T20:00:01Z'));
    await serve.scheduler.tick();
    await expect
      .poll(() => told(receiver).filter((e) => e.kind === 'schedule-skipped'))
      .toEqual([
        expect.objectContaining({
          reason: 'alert-gate',
          detail: expect.stringContaining('the window closed at 2027-11-21T20:00:00.000Z'),
        }),
      ]);
    expect((await schedule(serve)).waiting).toBeUndefined();
    expect((await schedule(serve)).lastRun).toMatchObject({ runId });
  }, 120_000);

  it('halts when its window closes, naming the servers not reached, and takes them first the next night', async () => {
    // The window's end is checked by the run on the real clock: the schedule fires every minute
    // (UTC) with a one-minute window, late within it, so its run has 15–25 s before it closes.
    const clock = new TestClock(undefined);
    const { env, serve, receiver } = await night(
      clock,
      '{ name: minutely, workflow: three, cron: "* * * * *", timezone: UTC, windowMinutes: 1, missed: runIfWithinWindow, carryOver: true }',
      { waitSeconds: 12 },
    );
    const seconds = () => new Date().getUTCSeconds();
    if (seconds() < 35 || seconds() > 43) {
      await new Promise((resolve) => setTimeout(resolve, ((95 - seconds()) % 60) * 1000));
    }
    // Twice: an occurrence the server fired as it started, whose window closed while the test
    // waited, is let go on the first tick; this minute's fires on the second.
    await serve.scheduler.tick();
    await serve.scheduler.tick();
    const runId = await nextRun(serve);
    expect(await outcome(serve, runId)).toBe('halted');
    const entries = await journal(env, runId);
    const halt = entries.find((e) => e.type === 'halt') as { reason: string } | undefined;
    expect(halt?.reason).toMatch(/the window closed at .*not reached: /);
    const notReached = /not reached: (.*)$/.exec(halt?.reason ?? '')?.[1] ?? '';
    expect(notReached).not.toBe('none');

    // What it did not reach is kept for the schedule, by instance id, in the plan's order.
    let carried: string[] = [];
    await expect
      .poll(async () => {
        carried = (await schedule(serve)).carriedOver as string[];
        return carried.length;
      })
      .toBeGreaterThan(0);
    for (const id of carried) expect(notReached).toContain(id);

    // The next minute's night (due as the window closed, run late within its own) plans those
    // first.
    await serve.scheduler.tick();
    const next = await nextRun(serve, runId);
    const plan = (await journal(env, next))[0] as unknown as {
      plan: { nodes: Array<{ id: string }> };
    };
    expect(plan.plan.nodes.slice(0, carried.length).map((n) => n.id)).toEqual(carried);
    expect(told(receiver).map((e) => e.kind)).toContain('halted');
  }, 240_000);
});
