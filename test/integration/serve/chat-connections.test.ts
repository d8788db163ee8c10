// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax of serve.yaml for environment references
/**
 * `drainctl serve`'s connection modes (docs/chat-ops.md, "Modes without a public endpoint")
 * against the stand-ins of the platforms' connection protocols (mocks/chat-platforms) and the
 * emulator, through the platforms' official SDKs: a command from an authorized user is acted on
 * once and answered in its thread; an unauthorized one is refused; the same message delivered
 * twice is acted on once; after the platform drops the connection, the SDK reconnects and
 * messages are taken again; the HTTP endpoint of a platform in connection mode answers 404.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ChatPlatforms, startChatPlatforms } from '#mocks/chat-platforms/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { readEnvironment } from '#src/config/index.js';
import { getLogger } from '#src/log/index.js';
import { type RunningServe, startServe } from '#src/serve/index.js';
import { endState, type RunEnv, startRunEnv } from '#support/rollout-on-emulator.js';

const SECRETS = {
  dingtalk: { appKey: 'dingdrainctltests', appSecret: 'dingtalk-app-secret-for-tests-0002' },
};

const ENV = {
  DRAINCTL_DINGTALK_APP_KEY: SECRETS.dingtalk.appKey,
  DRAINCTL_DINGTALK_APP_SECRET: SECRETS.dingtalk.appSecret,
  SERVE_OPERATOR_TOKEN: 'operator-token-for-tests-0123456789',
};

/** alice asks, bob approves, carol is listed nowhere. */
const ALICE = 'alice01';
const BOB = 'bob02';
const CAROL = 'carol03';
const CONNECTED = ['dingtalk'] as const;
const everyone = (users: string[]) =>
  `{ ${CONNECTED.map((p) => `${p}: { users: [${users.join(', ')}] }`).join(', ')} }`;

let env: RunEnv;
let serve: RunningServe | undefined;
let chat: ChatPlatforms;

async function startServeHere(without?: string): Promise<RunningServe> {
  const processEnv: Record<string, string | undefined> = { ...env.env, ...ENV };
  if (without !== undefined) delete processEnv[without];
  return startServe({
    configFile: join(env.dir, 'serve.yaml'),
    host: '127.0.0.1',
    port: 0,
    home: env.home,
    environment: readEnvironment(processEnv, env.dir),
    env: processEnv,
    cwd: env.dir,
    logger: getLogger().child({}),
    clock: systemClock,
  });
}

beforeAll(async () => {
  env = await startRunEnv();
  chat = await startChatPlatforms({
    drainctlUrl: () => serve?.url ?? '',
    secrets: SECRETS,
  });
  await writeFile(
    join(env.dir, 'serve.yaml'),
    [
      'catalog:',
      '  three: ./crash-three.yaml',
      '  quick: ./crash-three.yaml',
      'tokens:',
      '  - { name: ops, role: operator, token: "${SERVE_OPERATOR_TOKEN}" }',
      'chat:',
      `  platforms: { ${CONNECTED.map((p) => `${p}: { mode: connection, apiBaseUrl: "${chat.url}" }`).join(', ')} }`,
      '  workflows:',
      '    three:',
      '      approval: required',
      `      plan: ${everyone([ALICE])}`,
      `      run: ${everyone([ALICE])}`,
      `      approve: ${everyone([ALICE, BOB])}`,
      `      abort: ${everyone([ALICE, BOB])}`,
      '    quick:',
      `      plan: ${everyone([ALICE])}`,
      `      run: ${everyone([ALICE])}`,
      '',
    ].join('\n'),
  );
  // Planning reads the cloud credentials from the process environment, as the CLI's does.
  for (const [name, value] of Object.entries({ ...env.env, ...ENV })) {
    vi.stubEnv(name, value ?? '');
  }
  serve = await startServeHere();
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await serve?.shutdown('SIGTERM');
  await chat?.close();
  await env?.close();
});

async function repliesIn(thread: string, count = 1) {
  return vi.waitUntil(
    () => {
      const found = chat.replies(thread);
      return found.length >= count ? found : undefined;
    },
    { timeout: 20_000, interval: 50 },
  );
}

/** Give a delivery not acted on the time an acted-on one takes to be answered. */
async function settle() {
  await new Promise((resolve) => setTimeout(resolve, 500));
}

async function connected(opened: number) {
  await vi.waitUntil(
    () => chat.dingtalkStream.opened() >= opened && chat.dingtalkStream.connected(),
    {
      timeout: 15_000,
      interval: 50,
    },
  );
}

describe('DingTalk Stream mode', () => {
  it('connects through the gateway with the AppKey and AppSecret, and takes robot messages', async () => {
    await connected(1);
    const { message, thread } = chat.dingtalkMessage(ALICE, 'plan quick');
    const ack = await chat.dingtalkStream.push(message);
    expect(ack).toMatchObject({ code: 200, message: 'OK' });
    const [reply] = await repliesIn(thread);
    expect(reply?.text).toContain('Plan for quick');
    expect(reply?.text).toMatch(/Plan sha256 [0-9a-f]{64}/);
    await settle();
    expect(chat.replies(thread)).toHaveLength(1);
  });

  it('acts once on a message delivered twice', async () => {
    const { message, thread } = chat.dingtalkMessage(ALICE, 'run three');
    await chat.dingtalkStream.push(message);
    // DingTalk sends a message again when it saw no acknowledgement in time.
    const again = await chat.dingtalkStream.push(message);
    expect(again).toMatchObject({ code: 200 });
    const [request] = await repliesIn(thread);
    expect(request?.text).toContain('needs approval');
    await settle();
    expect(chat.replies(thread)).toHaveLength(1);
  });

  it('refuses a person without the permission, and changes nothing', async () => {
    const { message, thread } = chat.dingtalkMessage(CAROL, 'run quick');
    await chat.dingtalkStream.push(message);
    const [reply] = await repliesIn(thread);
    expect(reply?.text).toContain(
      'the run permission on quick: dingtalk user carol03 is not listed',
    );
    expect(Object.values(endState(env).weights)).toEqual([100, 100, 100]);
  });

  it('reconnects after DingTalk drops the connection, and goes on taking messages', async () => {
    const before = chat.dingtalkStream.opened();
    chat.dingtalkStream.drop();
    await connected(before + 1);
    const { message, thread } = chat.dingtalkMessage(ALICE, 'help');
    await chat.dingtalkStream.push(message);
    const [reply] = await repliesIn(thread);
    expect(reply?.text).toContain('plan NAME');
  });

  it('runs a request approved by a second person, and tells the thread its progress', async () => {
    const asked = chat.dingtalkMessage(ALICE, 'run three');
    await chat.dingtalkStream.push(asked.message);
    const [request] = await repliesIn(asked.thread);
    const runId = /(r-\d{8}-\d{6}-[0-9a-f]{4})/.exec(request?.text ?? '')?.[1] ?? '';
    const sha256 = /Plan sha256 ([0-9a-f]{64})/.exec(request?.text ?? '')?.[1] ?? '';
    expect(sha256).not.toBe('');
    const approved = chat.dingtalkMessage(BOB, `approve ${runId} ${sha256}`);
    await chat.dingtalkStream.push(approved.message);
    const [started] = await repliesIn(approved.thread);
    expect(started?.text).toContain(`three ${runId} is starting`);
    await vi.waitUntil(
      () => chat.replies(asked.thread).some((reply) => /succeeded|completed/i.test(reply.text)),
      { timeout: 60_000, interval: 200 },
    );
    expect(endState(env).kernels).not.toEqual({});
  }, 90_000);

  it('refuses to start without the AppKey, naming it', async () => {
    await expect(startServeHere('DRAINCTL_DINGTALK_APP_KEY')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      path: 'DRAINCTL_DINGTALK_APP_KEY',
    });
  });

  it('has no HTTP endpoint', async () => {
    const response = await fetch(`${serve?.url}/chat/dingtalk`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });
});
