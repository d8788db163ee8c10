// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax for environment references
/**
 * A patch night under a real `drainctl serve` process: its scheduler's clock starts three seconds
 * before 02:00 in Shanghai (DRAINCTL_TEST_SCHEDULER_NOW, the test-only hook), so the night falls
 * due while the test watches. The plan waits for the approver, runs once approved and patches
 * the emulator's fleet; the same night on a blackout day is skipped, and a schedule approved
 * while that run is in progress on the same balancer is skipped for the overlap. Every mock
 * receiver (one per platform) gets each of it validly signed, and /metrics counts the run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Receivers, startReceivers } from '#mocks/receivers/index.js';
import {
  endState,
  journal,
  NODES,
  runEnvPerTest,
  waitForEntry,
} from '#support/rollout-on-emulator.js';
import { type ServeProcess, serveYaml, startServeProcess } from '#support/serve-process.js';

const runEnv = runEnvPerTest();
let receivers: Receivers | undefined;
afterEach(async () => {
  await receivers?.close();
  receivers = undefined;
});

/** 01:59:57 on 2027-03-03 in Asia/Shanghai. */
const SCHEDULER_NOW = '2027-03-02T17:59:57Z';

const SCHEDULES = `
schedules:
  - { name: nightly, workflow: three, cron: "0 2 * * *", timezone: Asia/Shanghai, windowMinutes: 120 }
  - name: sale-night
    workflow: three
    cron: "0 2 * * *"
    timezone: Asia/Shanghai
    windowMinutes: 120
    blackout: [{ from: 2027-03-03, to: 2027-03-03, reason: spring sale }]
  - { name: second-night, workflow: three, cron: "0 2 * * *", timezone: Asia/Shanghai, windowMinutes: 120 }
publicUrl: https://drainctl.example.com/
notify:
  channels:
    - { type: dingtalk, url: "\${DINGTALK_URL}", secret: "\${NOTIFY_SECRET}" }
    - { type: feishu, url: "\${FEISHU_URL}", secret: "\${NOTIFY_SECRET}" }
    - { type: wecom, url: "\${WECOM_URL}" }
    - { type: slack, url: "\${SLACK_URL}" }
    - { type: webhook, url: "\${WEBHOOK_URL}", secret: "\${NOTIFY_SECRET}" }
`;

type Schedule = Record<string, unknown> & { approval: { waitingFor?: string } };

async function schedules(serve: ServeProcess): Promise<Map<string, Schedule>> {
  const listed = await serve.request('GET', '/api/schedules', { token: 'viewer' });
  const all = listed.json.schedules as Schedule[];
  return new Map(all.map((s) => [String(s.name), s]));
}

async function waitingFor(serve: ServeProcess, name: string): Promise<string> {
  let sha: string | undefined;
  await expect
    .poll(
      async () => {
        sha = (await schedules(serve)).get(name)?.approval.waitingFor;
        return sha;
      },
      { timeout: 30_000, interval: 250 },
    )
    .toMatch(/^[0-9a-f]{64}$/);
  return sha ?? '';
}

describe('drainctl serve: a scheduled patch night', () => {
  it('fires when due: approved, it patches the fleet; a blackout and an overlap are skipped and told', async () => {
    const env = await runEnv({ waitSeconds: 1 });
    receivers = await startReceivers({ secret: 'SEC-e2e-signing-secret', token: 'e2e-token' });
    const { byType } = receivers;
    Object.assign(env.env, {
      DRAINCTL_TEST_SCHEDULER_NOW: SCHEDULER_NOW,
      DINGTALK_URL: byType.dingtalk.url,
      FEISHU_URL: byType.feishu.url,
      WECOM_URL: byType.wecom.url,
      SLACK_URL: byType.slack.url,
      WEBHOOK_URL: byType.webhook.url,
      NOTIFY_SECRET: 'SEC-e2e-signing-secret',
    });
    const kernelsBefore = endState(env).kernels;
    const serve = await startServeProcess(env, serveYaml(SCHEDULES));

    // Nothing is due at 01:59:57; at 02:00 the plan of `nightly` was never approved: it waits.
    const first = await schedules(serve);
    expect(first.get('nightly')?.next).toEqual(
      expect.arrayContaining([
        { local: '2027-03-03T02:00:00+08:00', utc: '2027-03-02T18:00:00.000Z' },
      ]),
    );
    const sha = await waitingFor(serve, 'nightly');
    expect(Object.values(endState(env).weights)).toEqual([100, 100, 100]);

    const approved = await serve.request('POST', '/api/schedules/nightly/approve', {
      token: 'approver',
      body: { planSha256: sha },
    });
    expect(approved.status).toBe(202);
    let runId = '';
    await expect
      .poll(
        async () => {
          const lastRun = (await schedules(serve)).get('nightly')?.lastRun as
            | { runId?: string }
            | undefined;
          runId = lastRun?.runId ?? '';
          return runId;
        },
        { timeout: 30_000, interval: 250 },
      )
      .toMatch(/^r-/);

    // `second-night` fell due with it and waits with the same plan; approved while `nightly`'s run
    // is in progress on the same balancer, it is skipped.
    const secondSha = await waitingFor(serve, 'second-night');
    expect(secondSha).toBe(sha);
    const run = await serve.request('GET', `/api/runs/${runId}`, { token: 'viewer' });
    expect(run.json).toMatchObject({ outcome: 'running', startedBy: 'schedule:nightly' });
    const second = await serve.request('POST', '/api/schedules/second-night/approve', {
      token: 'approver',
      body: { planSha256: secondSha },
    });
    expect(second.status).toBe(202);

    await expect
      .poll(
        async () =>
          (await serve.request('GET', `/api/runs/${runId}`, { token: 'viewer' })).json.outcome,
        { timeout: 120_000, interval: 500 },
      )
      .toBe('completed');
    const end = endState(env);
    expect(end.weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));
    for (const id of NODES) expect(end.kernels[id]).not.toBe(kernelsBefore[id]);

    const metrics = await serve.request('GET', '/metrics', { token: 'viewer' });
    expect(metrics.text).toMatch(
      /^drainctl_runs_total\{workflow="crash-three",outcome="completed"\} 1$/m,
    );
    expect(metrics.text).toMatch(
      /^drainctl_last_successful_run_timestamp_seconds\{workflow="crash-three"\} \d/m,
    );

    // Every platform got the night, each message taken (its signature checked by the receiver).
    const texts = (type: keyof typeof byType) =>
      byType[type]
        .messages()
        .map((m) => {
          expect(m.accepted, `${type}: ${m.body} → ${m.answer.body}`).toBe(true);
          return m.body;
        })
        .join('\n');
    for (const type of ['dingtalk', 'feishu', 'wecom', 'slack', 'webhook'] as const) {
      await expect.poll(() => texts(type), { timeout: 20_000 }).toContain(`${runId} completed`);
      const all = texts(type);
      expect(all).toContain('sale-night skipped (blackout)');
      expect(all).toContain('spring sale (blackout 2027-03-03)');
      expect(all).toContain('second-night skipped (overlap)');
      expect(all).toContain('waits for approval');
      expect(all).toContain(`https://drainctl.example.com/runs/${runId}`);
    }
    // The webhook's body carries the events themselves.
    const kinds = byType.webhook
      .messages()
      .map((m) => (JSON.parse(m.body) as { event: { kind: string; schedule?: string } }).event);
    expect(kinds).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'approval-needed', schedule: 'nightly' }),
        expect.objectContaining({ kind: 'started' }),
        expect.objectContaining({ kind: 'finished' }),
        expect.objectContaining({ kind: 'schedule-skipped', schedule: 'sale-night' }),
        expect.objectContaining({ kind: 'schedule-skipped', schedule: 'second-night' }),
      ]),
    );

    serve.child.kill('SIGTERM');
    expect((await serve.done).code).toBe(0);
  }, 180_000);

  it('resumes a scheduled run left by a crash of the server only when its schedule says so', async () => {
    const env = await runEnv({ waitSeconds: 3 });
    env.env.DRAINCTL_TEST_SCHEDULER_NOW = SCHEDULER_NOW;
    const schedule = (resume: boolean) =>
      serveYaml(
        `schedules:\n  - { name: nightly, workflow: three, cron: "0 2 * * *", timezone: Asia/Shanghai, windowMinutes: 120, resumeUnfinished: ${resume} }`,
      );
    const first = await startServeProcess(env, schedule(true));
    const sha = await waitingFor(first, 'nightly');
    const approved = await first.request('POST', '/api/schedules/nightly/approve', {
      token: 'approver',
      body: { planSha256: sha },
    });
    expect(approved.status).toBe(202);
    // The server dies while the night's first server is out of service.
    const { runId } = await waitForEntry(
      env,
      (e) => e.type === 'result' && String(e.step).includes('node.drain-'),
    );
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const crashed = await journal(env, runId);
    expect(crashed.at(-1)?.type).not.toBe('done');

    // resumeUnfinished: false — listed on start, left for an operator.
    const second = await startServeProcess(env, schedule(false));
    await expect
      .poll(() => second.stdout(), { timeout: 10_000 })
      .toContain(`unfinished: run ${runId}`);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // showing that nothing happens
    expect(await journal(env, runId)).toEqual(crashed);
    second.child.kill('SIGTERM');
    expect((await second.done).code).toBe(0);

    // resumeUnfinished: true — the schedule picks its own run up again and finishes it.
    const third = await startServeProcess(env, schedule(true));
    await expect
      .poll(async () => (await journal(env, runId)).at(-1)?.type, {
        timeout: 120_000,
        interval: 500,
      })
      .toBe('done');
    const after = await journal(env, runId);
    expect(after).toContainEqual(
      expect.objectContaining({ type: 'resume', by: 'schedule:nightly' }),
    );
    expect(after.at(-1)).toMatchObject({ outcome: 'completed' });
    expect(endState(env).weights).toEqual(Object.fromEntries(NODES.map((id) => [id, 100])));
    third.child.kill('SIGTERM');
    expect((await third.done).code).toBe(0);
  }, 240_000);
});
