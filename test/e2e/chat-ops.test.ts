/**
 * Chat-ops as a team uses it: `drainctl serve` as a real process, DingTalk stood in for by
 * mocks/chat-platforms. Alice asks for a run of a workflow that needs approval, Bob approves
 * it, the emulator's fleet is patched, Alice's conversation is told each step, and the run's
 * journal and `drainctl status` name who asked and who approved, from where, and the plan.
 */
import { expect, it, vi } from 'vitest';
import { type ChatPlatforms, startChatPlatforms } from '#mocks/chat-platforms/index.js';
import { drainctl, endState, journal, NODES, runEnvPerTest } from '#support/rollout-on-emulator.js';
import { type ServeProcess, serveYaml, startServeProcess } from '#support/serve-process.js';

const runEnv = runEnvPerTest();
const APP_SECRET = 'dingtalk-app-secret-for-e2e-0001';

it('a run asked in DingTalk by one person and approved by another patches the fleet, told in the thread', async () => {
  const env = await runEnv({ waitSeconds: 1 });
  let serve: ServeProcess | undefined;
  const chat: ChatPlatforms = await startChatPlatforms({
    drainctlUrl: () => serve?.url ?? 'http://127.0.0.1:9',
    secrets: { dingtalk: { appSecret: APP_SECRET } },
  });
  try {
    serve = await startServeProcess(
      { ...env, env: { ...env.env, DRAINCTL_DINGTALK_APP_SECRET: APP_SECRET } },
      serveYaml(
        [
          'chat:',
          '  publicUrl: https://drainctl.example.com',
          // The stand-in's sessionWebhooks are under its own address, not DingTalk's.
          `  platforms: { dingtalk: { apiBaseUrl: "${chat.url}" } }`,
          '  workflows:',
          '    three:',
          '      approval: required',
          '      run: { dingtalk: { users: [alice] } }',
          '      approve: { dingtalk: { users: [bob] } }',
        ].join('\n'),
      ),
    );
    const kernelsBefore = endState(env).kernels;

    const asked = await chat.say('dingtalk', 'alice', 'run three');
    expect(asked.status).toBe(200);
    const [request] = await vi.waitUntil(
      () => (chat.replies(asked.thread).length > 0 ? chat.replies(asked.thread) : undefined),
      { timeout: 30_000, interval: 100 },
    );
    expect(request?.text).toContain('needs approval');
    const runId = /(r-\d{8}-\d{6}-[0-9a-f]{4})/.exec(request?.text ?? '')?.[1] ?? '';
    const sha256 = /Plan sha256 ([0-9a-f]{64})/.exec(request?.text ?? '')?.[1] ?? '';
    expect(sha256).not.toBe('');
    // Nothing runs before the second person says so.
    expect(Object.values(endState(env).weights)).toEqual([100, 100, 100]);

    const approved = await chat.say('dingtalk', 'bob', `approve ${runId} ${sha256}`);
    expect(approved.status).toBe(200);

    const progress = await vi.waitUntil(
      () => {
        const texts = chat.replies(asked.thread).map((reply) => reply.text);
        return texts.some((text) => text.includes(`${runId} completed`)) ? texts : undefined;
      },
      { timeout: 120_000, interval: 250 },
    );
    const all = progress.join('\n');
    expect(all).toContain(`${runId} started`);
    for (const name of ['web-1', 'web-2', 'web-3']) {
      expect(all).toContain(`${name} drained`);
      expect(all).toContain(`${name} patched and back in service`);
    }
    expect(all).toContain(`https://drainctl.example.com/runs/${runId}`);

    const end = endState(env);
    for (const id of NODES) expect(end.kernels[id]).not.toBe(kernelsBefore[id]);
    expect(Object.values(end.weights)).toEqual([100, 100, 100]);

    const [plan] = await journal(env, runId);
    expect(plan).toMatchObject({
      type: 'plan',
      sha256,
      startedBy: 'chat:dingtalk:alice (channel cidDrainctlOps==)',
      approvedBy: 'chat:dingtalk:bob (channel cidDrainctlOps==)',
    });
    const status = await drainctl(env, ['status', runId]);
    expect(status.stdout).toContain(
      'started by chat:dingtalk:alice (channel cidDrainctlOps==), approved by chat:dingtalk:bob (channel cidDrainctlOps==)',
    );
    serve.child.kill('SIGTERM');
    expect((await serve.done).code).toBe(0);
  } finally {
    await chat.close();
  }
}, 240_000);
