/**
 * Chat approvals across `drainctl serve` replicas (real processes) on one PostgreSQL database,
 * DingTalk stood in for by mocks/chat-platforms. A run asked through one replica is approved
 * through the other and runs once. Two approvals sent at once to both replicas: the test holds
 * the request's row locked until both replicas have read it and wait to store their decision, so
 * the two changes really race; exactly one is stored, one run starts, the other approver is told
 * who approved first.
 */

import pg from 'pg';
import { expect, it, vi } from 'vitest';
import { type ChatPlatforms, startChatPlatforms } from '#mocks/chat-platforms/index.js';
import { postgresClusterForFile } from '#support/postgres-cluster.js';
import type { ServeProcess } from '#support/serve-process.js';
import { serveYaml } from '#support/serve-process.js';
import { entries, type Replicas, serveReplicas } from '#support/serve-replicas.js';

const cluster = postgresClusterForFile();
const APP_SECRET = 'dingtalk-app-secret-for-pg-0001';

/** Two replicas with chat on, and the DingTalk stand-in (it sends to `target`). */
async function chatReplicas(database: string) {
  const r = await serveReplicas(cluster(), database);
  let target: ServeProcess | undefined;
  const chat = await startChatPlatforms({
    drainctlUrl: () => target?.url ?? 'http://127.0.0.1:9',
    secrets: { dingtalk: { appSecret: APP_SECRET } },
  });
  const yaml = serveYaml(
    [
      'chat:',
      `  platforms: { dingtalk: { apiBaseUrl: "${chat.url}" } }`,
      '  workflows:',
      '    three:',
      '      approval: required',
      '      run: { dingtalk: { users: [alice] } }',
      '      approve: { dingtalk: { users: [bob, carol] } }',
    ].join('\n'),
  );
  const options = { yaml, env: { DRAINCTL_DINGTALK_APP_SECRET: APP_SECRET } };
  const a = await r.start('a', options);
  const b = await r.start('b', options);
  return {
    r,
    a,
    b,
    chat,
    /** Messages from now on go to `replica`. */
    to(replica: ServeProcess) {
      target = replica;
    },
    async close() {
      for (const replica of [a, b]) replica.child.kill('SIGKILL');
      await Promise.all([a.done, b.done]);
      await chat.close();
      await r.close();
    },
  };
}

/** The first reply in `thread` that contains `text`. */
function replyIn(chat: ChatPlatforms, thread: string, text: string): Promise<string> {
  return vi.waitUntil(() => chat.replies(thread).find((reply) => reply.text.includes(text))?.text, {
    timeout: 60_000,
    interval: 100,
  });
}

/** alice asks for a run of `three`: its run id and plan sha256, from the request's reply. */
async function asked(chat: ChatPlatforms) {
  const said = await chat.say('dingtalk', 'alice', 'run three');
  expect(said.status).toBe(200);
  const text = await replyIn(chat, said.thread, 'needs approval');
  const runId = /(r-\d{8}-\d{6}-[0-9a-f]{4})/.exec(text)?.[1] ?? '';
  const sha256 = /Plan sha256 ([0-9a-f]{64})/.exec(text)?.[1] ?? '';
  expect(runId).not.toBe('');
  expect(sha256).not.toBe('');
  return { runId, sha256, thread: said.thread };
}

/** The run's journal once its plan entry is written (the run started). */
async function started(r: Replicas, runId: string) {
  await expect
    .poll(async () => (await entries(r.storage, runId)).length, { timeout: 60_000 })
    .toBeGreaterThan(0);
  return entries(r.storage, runId);
}

it('a run asked through one replica is approved through the other and runs once', async () => {
  const t = await chatReplicas('chat_approve_across');
  try {
    t.to(t.a);
    const { runId, sha256, thread } = await asked(t.chat);
    t.to(t.b);
    const approval = await t.chat.say('dingtalk', 'bob', `approve ${runId} ${sha256}`);
    expect(approval.status).toBe(200);
    expect(await replyIn(t.chat, approval.thread, 'is starting')).toContain(
      'Approved by chat:dingtalk:bob',
    );
    const [plan] = await started(t.r, runId);
    expect(plan).toMatchObject({
      type: 'plan',
      sha256,
      startedBy: expect.stringContaining('chat:dingtalk:alice'),
      approvedBy: expect.stringContaining('chat:dingtalk:bob'),
    });
    // The replica that runs it tells alice's thread, which was asked through the other one.
    await replyIn(t.chat, thread, `${runId} started`);
    expect(await t.r.storage.listRuns()).toEqual([runId]);
    // Either replica answers the request's status from the database.
    t.to(t.a);
    const status = await t.chat.say('dingtalk', 'alice', `status ${runId}`);
    expect(await replyIn(t.chat, status.thread, runId)).toContain('Approved by');
  } finally {
    await t.close();
  }
}, 240_000);

it('two approvals sent at once to both replicas: one is stored, one run starts, the other is told', async () => {
  const t = await chatReplicas('chat_approve_race');
  try {
    t.to(t.a);
    const { runId, sha256 } = await asked(t.chat);
    // Each replica answers a first message once (what it loads on first use is loaded): the two
    // approvals then reach the database within the 10 s a replica's query may wait.
    for (const replica of [t.a, t.b]) {
      t.to(replica);
      const help = await t.chat.say('dingtalk', 'bob', 'help');
      await replyIn(t.chat, help.thread, 'drainctl');
    }
    const hold = new pg.Client({ connectionString: t.r.url });
    await hold.connect();
    try {
      // Hold the request's row: both replicas read it, then both wait to store their approval.
      await hold.query('BEGIN');
      await hold.query('SELECT 1 FROM drainctl_chat_approvals WHERE run_id = $1 FOR UPDATE', [
        runId,
      ]);
      const bob = t.chat.delivery('dingtalk', 'bob', `approve ${runId} ${sha256}`);
      // DingTalk signs the timestamp only: two deliveries of one millisecond are one delivery.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const carol = t.chat.delivery('dingtalk', 'carol', `approve ${runId} ${sha256}`);
      const sent = await Promise.all([sendTo(t.a, bob.delivery), sendTo(t.b, carol.delivery)]);
      expect(sent).toEqual([200, 200]);
      await expect.poll(() => waitingUpdates(hold), { timeout: 30_000, interval: 50 }).toBe(2);
      await hold.query('ROLLBACK');
      const answers = await Promise.all(
        [bob.thread, carol.thread].map((thread) =>
          vi.waitUntil(() => t.chat.replies(thread)[0]?.text, { timeout: 60_000, interval: 100 }),
        ),
      );
      const starting = answers.filter((text) => text.includes('is starting'));
      expect(starting).toHaveLength(1);
      const winner = starting[0]?.includes('chat:dingtalk:bob') ? 'bob' : 'carol';
      const loser = answers.find((text) => !text.includes('is starting'));
      expect(loser).toContain(`${runId} was already approved by dingtalk:${winner}`);
      const journal = await started(t.r, runId);
      // One run: one plan entry, one writer (no second start superseded or refused on the lock).
      expect(journal.filter((entry) => entry.type === 'plan')).toHaveLength(1);
      expect(journal[0]).toMatchObject({
        approvedBy: expect.stringContaining(`chat:dingtalk:${winner}`),
      });
      expect(await t.r.storage.listRuns()).toEqual([runId]);
      const stored = await t.r.storage.approvals.read(runId);
      expect(JSON.parse(stored?.json ?? '{}')).toMatchObject({
        state: { status: 'executing', approver: { userId: winner } },
      });
    } finally {
      await hold.end();
    }
  } finally {
    await t.close();
  }
}, 240_000);

/** How many sessions wait for a lock to change an approval request. */
async function waitingUpdates(client: pg.Client): Promise<number> {
  // Within a transaction the activity view is read once and kept: read it afresh.
  await client.query('SELECT pg_stat_clear_snapshot()');
  const found = await client.query<{ waiting: string }>(
    `SELECT count(*) AS waiting FROM pg_stat_activity
     WHERE wait_event_type = 'Lock' AND datname = current_database()
       AND query LIKE 'UPDATE drainctl_chat_approvals%'`,
  );
  return Number(found.rows[0]?.waiting);
}

async function sendTo(
  replica: ServeProcess,
  delivery: { path: string; method: string; headers: Record<string, string>; body: string },
): Promise<number> {
  const response = await fetch(`${replica.url}${delivery.path}`, {
    method: delivery.method,
    headers: delivery.headers,
    body: delivery.body,
  });
  await response.text();
  return response.status;
}
