// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax for environment references
/**
 * Two replicas of `drainctl serve` on one PostgreSQL database, a schedule due: the night runs
 * exactly once, whichever replica works it, however often both tick. The emulator answers over
 * HTTP; each replica is a `startServe` in this process with its own connections and job engine.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver } from '#mocks/receivers/index.js';
import { openPostgresStorage } from '#src/adapters/postgres/postgres-storage.js';
import { readEnvironment } from '#src/config/index.js';
import { createLogger } from '#src/log/index.js';
import type { Clock, SharedStorage } from '#src/ports/index.js';
import { type RunningServe, startServe } from '#src/serve/index.js';
import {
  POSTGRES_MISSING,
  type PostgresCluster,
  postgresBinDir,
  startPostgresCluster,
} from '#support/postgres-cluster.js';
import {
  drainctl,
  endState,
  NODES,
  type RunEnv,
  startRunEnv,
} from '#support/rollout-on-emulator.js';
import { callServeApi, TOKENS } from '#support/serve-process.js';

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

const binDir = postgresBinDir();
let cluster: PostgresCluster;
let env: RunEnv;
let storage: SharedStorage;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
const SECRET = 'replica-test-webhook-secret';
const replicas: RunningServe[] = [];
const CLOUD_KEYS = ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'] as const;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  if (binDir === undefined) throw new Error(POSTGRES_MISSING);
  cluster = startPostgresCluster(binDir);
  const url = await cluster.createDatabase('replica_schedule');
  env = await startRunEnv({});
  receiver = await startWebhookReceiver({ token: 'replica-test-token', secret: SECRET });
  const yaml = [
    'catalog:',
    '  three: ./crash-three.yaml',
    'tokens:',
    '  - { name: watcher, role: viewer, token: "${SERVE_VIEWER_TOKEN}" }',
    '  - { name: boss, role: approver, token: "${SERVE_APPROVER_TOKEN}" }',
    'schedules:',
    '  - name: nightly',
    '    workflow: three',
    '    cron: "0 2 * * *"',
    '    timezone: Asia/Shanghai',
    '    windowMinutes: 120',
    'notify:',
    '  channels:',
    '    - { type: webhook, url: "${HOOK_URL}", secret: "${HOOK_SECRET}" }',
  ].join('\n');
  await writeFile(join(env.dir, 'serve.yaml'), `${yaml}\n`);
  Object.assign(env.env, {
    SERVE_VIEWER_TOKEN: TOKENS.viewer,
    SERVE_APPROVER_TOKEN: TOKENS.approver,
    DRAINCTL_DATABASE_URL: url,
    HOOK_URL: receiver.url,
    HOOK_SECRET: SECRET,
  });
  for (const key of CLOUD_KEYS) {
    saved[key] = process.env[key];
    process.env[key] = env.env[key];
  }
  storage = await openPostgresStorage(url);
}, 60_000);

afterAll(async () => {
  for (const key of CLOUD_KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  for (const replica of replicas) await replica.shutdown('SIGTERM');
  await storage?.close();
  await receiver?.close();
  await env?.close();
  cluster?.close();
});

async function replica(clock: Clock, name: string): Promise<RunningServe> {
  const serve = await startServe({
    configFile: join(env.dir, 'serve.yaml'),
    host: '127.0.0.1',
    port: 0,
    // Each replica its own home: nothing is shared but the database.
    home: join(env.dir, `home-${name}`),
    environment: readEnvironment(env.env, env.dir),
    env: env.env,
    cwd: env.dir,
    logger: createLogger({ level: process.env.TEST_LOG ?? 'silent' }),
    clock,
  });
  replicas.push(serve);
  return serve;
}

/** The kinds of the scheduler's decisions both replicas told, in order. */
function toldKinds(): string[] {
  return receiver
    .messages()
    .map((m) => (JSON.parse(m.body) as { event: { kind: string } }).event.kind)
    .filter((kind) => ['planned', 'approval-needed', 'schedule-skipped'].includes(kind));
}

async function scheduleState(): Promise<Record<string, unknown>> {
  return JSON.parse((await storage.loadScheduleState('nightly')) ?? '{}');
}

describe('two replicas, one database', () => {
  it('a due night runs exactly once', async () => {
    // 02:00:10 in Shanghai: due on both replicas.
    const at = Date.parse('2027-11-20T18:00:10Z');
    const clocks = [new SetClock(at), new SetClock(at)];
    const [a, b] = [await replica(clocks[0] as Clock, 'a'), await replica(clocks[1] as Clock, 'b')];
    const both = [a, b] as RunningServe[];
    await Promise.all(both.map((r) => r.scheduler.tick()));
    // Never approved: one replica plans and waits for approval (in the database).
    await expect
      .poll(async () => (await scheduleState()).waiting, { timeout: 30_000, interval: 200 })
      .toMatchObject({ on: 'approval' });
    const sha = String(((await scheduleState()).waiting as Record<string, unknown>).planSha256);
    const approved = await callServeApi(
      (b as RunningServe).url,
      'POST',
      '/api/schedules/nightly/approve',
      'approver',
      { planSha256: sha },
    );
    expect(approved.status).toBe(202);
    // Both keep ticking, in new ticks each round, while the run starts and goes.
    for (let round = 1; round <= 6; round += 1) {
      for (const clock of clocks) clock.setWall(at + round * 5_000);
      await Promise.all(both.map((r) => r.scheduler.tick()));
      await new Promise((r) => setTimeout(r, 700));
    }
    await expect
      .poll(async () => (await scheduleState()).lastRun, { timeout: 30_000, interval: 200 })
      .toBeDefined();
    const runId = String(((await scheduleState()).lastRun as Record<string, unknown>).runId);
    await expect
      .poll(
        async () => {
          const lines = await storage.journal(runId).read();
          return JSON.parse(lines.at(-1) ?? '{}').type;
        },
        { timeout: 120_000, interval: 500 },
      )
      .toBe('done');
    const lines = (await storage.journal(runId).read()).map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ type: 'done', outcome: 'completed' });
    expect(lines[0]).toMatchObject({ type: 'plan', startedBy: 'schedule:nightly' });
    expect(await storage.listRuns()).toEqual([runId]);
    // `drainctl status` with the URL reads it from the database (its DRAINCTL_HOME has no runs).
    const status = await drainctl(env, ['status', runId, '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ runId, running: false });
    // Planned once and asked for approval once; never skipped (no replica tried a second run).
    await expect.poll(toldKinds).toEqual(['planned', 'approval-needed']);
    expect(endState(env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));
  }, 240_000);
});
