// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax of serve.yaml for environment references
/**
 * `drainctl serve`'s connection modes (docs/chat-ops.md, "Modes without a public endpoint")
 * against the stand-ins of the platforms' connection protocols (mocks/chat-platforms) and the
 * emulator, through the platforms' official SDKs: a command from an authorized user is acted on
 * once and answered in its thread; an unauthorized one is refused; the same message delivered
 * twice is acted on once; after the platform drops the connection, the SDK reconnects and
 * messages are taken again; the HTTP endpoint of a platform in connection mode answers 404;
 * a platform in connection mode without its credentials is refused at start-up.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type ChatPlatforms,
  type RecordedReply,
  startChatPlatforms,
} from '#mocks/chat-platforms/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { readEnvironment } from '#src/config/index.js';
import { getLogger } from '#src/log/index.js';
import { type RunningServe, startServe } from '#src/serve/index.js';
import { endState, type RunEnv, startRunEnv } from '#support/rollout-on-emulator.js';

const SECRETS = {
  dingtalk: { appKey: 'dingdrainctltests', appSecret: 'dingtalk-app-secret-for-tests-0002' },
  slack: {
    // Socket Mode checks no signature: serve is not given this one.
    signingSecret: 'slack-signing-secret-unused-0002',
    appToken: 'xapp-1-A0DRAINCTL-0002-app-level-token-for-tests',
    botToken: 'xoxb-bot-token-for-tests-0002',
  },
  feishu: {
    // The long connection's events are not encrypted: serve is not given these two.
    encryptKey: 'feishu-encrypt-key-unused',
    verificationToken: 'feishu-verification-token-unused',
    // The SDK takes only app ids of Feishu's form.
    appId: 'cli_a1b2c3d4e5f60718',
    appSecret: 'feishu-app-secret-for-tests-0002',
  },
};
const APP_TOKEN = SECRETS.slack.appToken;

const ENV = {
  DRAINCTL_DINGTALK_APP_KEY: SECRETS.dingtalk.appKey,
  DRAINCTL_DINGTALK_APP_SECRET: SECRETS.dingtalk.appSecret,
  DRAINCTL_SLACK_APP_TOKEN: SECRETS.slack.appToken,
  DRAINCTL_SLACK_BOT_TOKEN: SECRETS.slack.botToken,
  DRAINCTL_FEISHU_APP_ID: SECRETS.feishu.appId,
  DRAINCTL_FEISHU_APP_SECRET: SECRETS.feishu.appSecret,
  SERVE_OPERATOR_TOKEN: 'operator-token-for-tests-0123456789',
};

/** alice asks, bob approves, carol is listed nowhere. */
const ALICE = 'alice01';
const BOB = 'bob02';
const CAROL = 'carol03';
const CONNECTED = ['dingtalk', 'slack', 'feishu'] as const;
type Connected = (typeof CONNECTED)[number];
const everyone = (users: string[]) =>
  `{ ${CONNECTED.map((p) => `${p}: { users: [${users.join(', ')}] }`).join(', ')} }`;

/** A message sent over a platform's connection: its acknowledgement and its thread's replies. */
interface Sent {
  ack: Record<string, unknown>;
  replies(): RecordedReply[];
}

let channels = 0;

/** Each platform's connection, as a user's message reaches serve over it. */
const MODES: Record<
  Connected,
  {
    stream: () => { opened(): number; connected(): boolean; drop(): void };
    say(user: string, text: string): Promise<Sent>;
    /** The same message delivered twice, as the platform does when it saw no acknowledgement. */
    sayTwice(user: string, text: string): Promise<Sent>;
  }
> = {
  dingtalk: {
    stream: () => chat.dingtalkStream,
    async say(user, text) {
      const { message, thread } = chat.dingtalkMessage(user, text);
      const ack = await chat.dingtalkStream.push(message);
      return { ack, replies: () => chat.replies(thread) };
    },
    async sayTwice(user, text) {
      const { message, thread } = chat.dingtalkMessage(user, text);
      await chat.dingtalkStream.push(message);
      const ack = await chat.dingtalkStream.push(message);
      return { ack, replies: () => chat.replies(thread) };
    },
  },
  feishu: {
    stream: () => chat.feishuLongConnection,
    async say(user, text) {
      const { event, thread } = chat.feishuEvent(user, text);
      const answer = await chat.feishuLongConnection.push(event);
      return { ack: JSON.parse(answer.payload), replies: () => chat.replies(thread) };
    },
    async sayTwice(user, text) {
      const { event, thread } = chat.feishuEvent(user, text);
      await chat.feishuLongConnection.push(event);
      const answer = await chat.feishuLongConnection.push(event);
      return { ack: JSON.parse(answer.payload), replies: () => chat.replies(thread) };
    },
  },
  slack: {
    stream: () => chat.slackSocketMode,
    async say(user, text) {
      // With the bot token the answer starts a thread in the command's channel.
      const channel = `C0CONN${++channels}`;
      const { payload } = chat.slackCommand(user, text, { channel });
      const ack = await chat.slackSocketMode.push('slash_commands', payload);
      return {
        ack,
        replies: () => chat.replies().filter((reply) => reply.thread.startsWith(`${channel}:`)),
      };
    },
    async sayTwice(user, text) {
      const { payload, thread } = chat.slackMention(user, text, { channel: `C0CONN${++channels}` });
      await chat.slackSocketMode.push('events_api', payload);
      const ack = await chat.slackSocketMode.push('events_api', payload, { retryAttempt: 1 });
      return { ack, replies: () => chat.replies(thread) };
    },
  },
};

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
  chat = await startChatPlatforms({ drainctlUrl: () => serve?.url ?? '', secrets: SECRETS });
});

afterAll(async () => {
  await chat?.close();
});

/** A fleet on the emulator and its serve.yaml with `platforms` in connection mode. */
async function startFleet(platforms: readonly Connected[]): Promise<void> {
  env = await startRunEnv();
  await writeFile(
    join(env.dir, 'serve.yaml'),
    [
      'catalog:',
      '  three: ./crash-three.yaml',
      '  quick: ./crash-three.yaml',
      'tokens:',
      '  - { name: ops, role: operator, token: "${SERVE_OPERATOR_TOKEN}" }',
      'chat:',
      `  platforms: { ${platforms.map((p) => `${p}: { mode: connection, apiBaseUrl: "${chat.url}" }`).join(', ')} }`,
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
}

async function stopFleet(): Promise<void> {
  vi.unstubAllEnvs();
  await serve?.shutdown('SIGTERM');
  serve = undefined;
  await env?.close();
}

async function repliesOf(sent: Sent, count = 1) {
  return vi.waitUntil(
    () => {
      const found = sent.replies();
      return found.length >= count ? found : undefined;
    },
    { timeout: 20_000, interval: 50 },
  );
}

/** Give a delivery not acted on the time an acted-on one takes to be answered. */
async function settle() {
  await new Promise((resolve) => setTimeout(resolve, 500));
}

async function connected(platform: Connected, opened: number) {
  const stream = MODES[platform].stream();
  await vi.waitUntil(() => stream.opened() >= opened && stream.connected(), {
    timeout: 20_000,
    interval: 50,
  });
}

describe.each(CONNECTED)('%s connection mode', (platform) => {
  const mode = MODES[platform];
  // A fleet of its own: each platform's approved run patches it.
  beforeAll(async () => {
    await startFleet([platform]);
    serve = await startServeHere();
    // serve listens without waiting for the platform; the tests speak once it is connected.
    await connected(platform, 1);
  }, 60_000);
  afterAll(stopFleet);

  it('connects with its credentials and acts on a command once', async () => {
    const sent = await mode.say(ALICE, 'plan quick');
    expect(sent.ack).toBeDefined();
    if (platform === 'feishu') expect(sent.ack).toEqual({ code: 200 });
    const [reply] = await repliesOf(sent);
    expect(reply?.text).toContain('Plan for quick');
    expect(reply?.text).toMatch(/Plan sha256 [0-9a-f]{64}/);
    await settle();
    expect(sent.replies()).toHaveLength(1);
  });

  it('acts once on a message delivered twice', async () => {
    const sent = await mode.sayTwice(ALICE, 'run three');
    const [request] = await repliesOf(sent);
    expect(request?.text).toContain('needs approval');
    await settle();
    expect(sent.replies()).toHaveLength(1);
  });

  it('refuses a person without the permission, and changes nothing', async () => {
    const sent = await mode.say(CAROL, 'run quick');
    const [reply] = await repliesOf(sent);
    expect(reply?.text).toContain(
      `the run permission on quick: ${platform} user carol03 is not listed`,
    );
    expect(Object.values(endState(env).weights)).toEqual([100, 100, 100]);
  });

  it('reconnects after the platform drops the connection, and goes on taking messages', async () => {
    const stream = mode.stream();
    const before = stream.opened();
    stream.drop();
    await connected(platform, before + 1);
    const sent = await mode.say(ALICE, 'help');
    const [reply] = await repliesOf(sent);
    expect(reply?.text).toContain('plan NAME');
  });

  it('runs a request approved by a second person, and tells the thread its progress', async () => {
    const asked = await mode.say(ALICE, 'run three');
    const [request] = await repliesOf(asked);
    const runId = /(r-\d{8}-\d{6}-[0-9a-f]{4})/.exec(request?.text ?? '')?.[1] ?? '';
    const sha256 = /Plan sha256 ([0-9a-f]{64})/.exec(request?.text ?? '')?.[1] ?? '';
    expect(sha256).not.toBe('');
    const approved = await mode.say(BOB, `approve ${runId} ${sha256}`);
    const [started] = await repliesOf(approved);
    expect(started?.text).toContain(`three ${runId} is starting`);
    await vi.waitUntil(
      () => asked.replies().some((reply) => /succeeded|completed/i.test(reply.text)),
      { timeout: 60_000, interval: 200 },
    );
    expect(Object.values(endState(env).weights)).toEqual([100, 100, 100]);
  }, 90_000);

  it('has no HTTP endpoint', async () => {
    const response = await fetch(`${serve?.url}/chat/${platform}`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });
});

describe('across a restart of serve', () => {
  beforeAll(async () => {
    await startFleet(['dingtalk']);
    serve = await startServeHere();
    await connected('dingtalk', chat.dingtalkStream.opened());
  }, 60_000);
  afterAll(stopFleet);

  it('keeps a pending approval and the claims of delivered messages', async () => {
    const asked = chat.dingtalkMessage(ALICE, 'run three');
    await chat.dingtalkStream.push(asked.message);
    const [request] = await repliesOf({ ack: {}, replies: () => chat.replies(asked.thread) });
    const runId = /(r-\d{8}-\d{6}-[0-9a-f]{4})/.exec(request?.text ?? '')?.[1] ?? '';
    const sha256 = /Plan sha256 ([0-9a-f]{64})/.exec(request?.text ?? '')?.[1] ?? '';
    expect(sha256).not.toBe('');

    const opened = chat.dingtalkStream.opened();
    await serve?.shutdown('SIGTERM');
    serve = await startServeHere();
    await connected('dingtalk', opened + 1);

    // DingTalk sends a message again after the connection it went out on was lost.
    await chat.dingtalkStream.push(asked.message);
    await settle();
    expect(chat.replies(asked.thread)).toHaveLength(1);

    const approved = chat.dingtalkMessage(BOB, `approve ${runId} ${sha256}`);
    await chat.dingtalkStream.push(approved.message);
    const [started] = await repliesOf({ ack: {}, replies: () => chat.replies(approved.thread) });
    expect(started?.text).toContain(`three ${runId} is starting`);
    // The requester's thread, remembered across the restart, hears the run to its end.
    await vi.waitUntil(
      () => chat.replies(asked.thread).some((reply) => /succeeded|completed/i.test(reply.text)),
      { timeout: 60_000, interval: 200 },
    );
  }, 120_000);
});

describe('Slack revoking the app token between two connections', () => {
  beforeAll(async () => {
    await startFleet(['slack']);
    serve = await startServeHere();
    await connected('slack', chat.slackSocketMode.opened());
  }, 60_000);
  afterAll(async () => {
    SECRETS.slack.appToken = APP_TOKEN;
    await stopFleet();
  });

  // The SDK reconnects from a timer and gives up on invalid_auth with a rejection nobody
  // awaits: unhandled, it would stop serve (and vitest reports it as an error of this file).
  it('leaves serve running, Slack off, when the reconnect is refused', async () => {
    SECRETS.slack.appToken = 'xapp-1-revoked';
    const refused = chat.slackSocketMode.refused();
    chat.slackSocketMode.drop();
    await vi.waitUntil(() => chat.slackSocketMode.refused() > refused, {
      timeout: 30_000,
      interval: 100,
    });
    await settle();
    const response = await fetch(`${serve?.url}/api/runs`, {
      headers: { authorization: `Bearer ${ENV.SERVE_OPERATOR_TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(chat.slackSocketMode.connected()).toBe(false);
  }, 60_000);
});

describe('connection credentials', () => {
  beforeAll(() => startFleet(CONNECTED), 60_000);
  afterAll(stopFleet);

  it('refuses a Feishu app id of another form, naming the variable', async () => {
    const processEnv = { ...env.env, ...ENV, DRAINCTL_FEISHU_APP_ID: 'not-an-app-id' };
    await expect(
      startServe({
        configFile: join(env.dir, 'serve.yaml'),
        host: '127.0.0.1',
        port: 0,
        home: env.home,
        environment: readEnvironment(processEnv, env.dir),
        env: processEnv,
        cwd: env.dir,
        logger: getLogger().child({}),
        clock: systemClock,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', path: 'DRAINCTL_FEISHU_APP_ID' });
  });

  it.each(['DRAINCTL_DINGTALK_APP_KEY', 'DRAINCTL_SLACK_APP_TOKEN', 'DRAINCTL_FEISHU_APP_SECRET'])(
    'refuses to start without %s, naming it',
    async (variable) => {
      await expect(startServeHere(variable)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        path: variable,
      });
    },
  );
});
