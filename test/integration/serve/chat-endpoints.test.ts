// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax of serve.yaml for environment references
/**
 * `drainctl serve`'s chat endpoints against the stand-in platforms (mocks/chat-platforms) and the
 * emulator: per platform a valid command is answered in its thread; a tampered body, a wrong
 * signature, a stale timestamp and a replayed delivery are refused or ignored with nothing
 * changed; a person without the permission is told what they lack; the two-person rule refuses
 * the requester's own approval and an approval after the limit; random requests never get a 500.
 */
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type ChatPlatforms,
  type PlatformName,
  startChatPlatforms,
} from '#mocks/chat-platforms/index.js';
import { createCloudPorts } from '#src/adapters/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { readEnvironment } from '#src/config/index.js';
import { createLogger, getLogger } from '#src/log/index.js';
import { type RunningServe, startServe } from '#src/serve/index.js';
import { endState, type RunEnv, startRunEnv } from '#support/rollout-on-emulator.js';

const SECRETS = {
  slack: { signingSecret: 'slack-signing-secret-for-tests-0001' },
  dingtalk: { appSecret: 'dingtalk-app-secret-for-tests-0001' },
  feishu: {
    encryptKey: 'feishu-encrypt-key-for-tests',
    verificationToken: 'feishu-verification-token',
    appId: 'cli_drainctl_tests',
    appSecret: 'feishu-app-secret-for-tests',
  },
  wecom: {
    token: 'QDG6eK',
    encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
    corpId: 'wx5823bf96d3bd56c7',
    secret: 'wecom-app-secret-for-tests',
  },
};

const ENV = {
  DRAINCTL_SLACK_SIGNING_SECRET: SECRETS.slack.signingSecret,
  DRAINCTL_DINGTALK_APP_SECRET: SECRETS.dingtalk.appSecret,
  DRAINCTL_FEISHU_ENCRYPT_KEY: SECRETS.feishu.encryptKey,
  DRAINCTL_FEISHU_VERIFICATION_TOKEN: SECRETS.feishu.verificationToken,
  DRAINCTL_FEISHU_APP_ID: SECRETS.feishu.appId,
  DRAINCTL_FEISHU_APP_SECRET: SECRETS.feishu.appSecret,
  DRAINCTL_WECOM_TOKEN: SECRETS.wecom.token,
  DRAINCTL_WECOM_ENCODING_AES_KEY: SECRETS.wecom.encodingAesKey,
  DRAINCTL_WECOM_CORP_ID: SECRETS.wecom.corpId,
  DRAINCTL_WECOM_SECRET: SECRETS.wecom.secret,
  SERVE_OPERATOR_TOKEN: 'operator-token-for-tests-0123456789',
};

/** The same person on every platform: alice asks, bob approves, carol is listed nowhere. */
const ALICE = 'alice01';
const BOB = 'bob02';
const PLATFORMS: PlatformName[] = ['slack', 'dingtalk', 'feishu', 'wecom'];
const everyone = (users: string[]) =>
  `{ ${PLATFORMS.map((p) => `${p}: { users: [${users.join(', ')}] }`).join(', ')} }`;

let env: RunEnv;
let serve: RunningServe;
let chat: ChatPlatforms;
/** Added to the real time, for serve and the stand-ins alike (to pass a time limit). */
let offsetMs = 0;
const now = () => Date.now() + offsetMs;

beforeAll(async () => {
  env = await startRunEnv();
  chat = await startChatPlatforms({
    drainctlUrl: () => serve.url,
    secrets: SECRETS,
    now,
  });
  const base = chat.url;
  await writeFile(
    join(env.dir, 'serve.yaml'),
    [
      'catalog:',
      '  three: ./crash-three.yaml',
      '  quick: ./crash-three.yaml',
      'tokens:',
      '  - { name: ops, role: operator, token: "${SERVE_OPERATOR_TOKEN}" }',
      'chat:',
      '  publicUrl: https://drainctl.example.com',
      `  platforms: { ${PLATFORMS.map((p) => `${p}: { apiBaseUrl: "${base}" }`).join(', ')} }`,
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
  const processEnv = { ...env.env, ...ENV };
  // Planning reads the cloud credentials from the process environment, as the CLI's does.
  for (const [name, value] of Object.entries(processEnv)) vi.stubEnv(name, value ?? '');
  serve = await startServe({
    configFile: join(env.dir, 'serve.yaml'),
    host: '127.0.0.1',
    port: 0,
    home: env.home,
    environment: readEnvironment(processEnv, env.dir),
    env: processEnv,
    cwd: env.dir,
    logger: getLogger().child({}),
    // Chat requests and approvals are timed by the test; the scheduler (no schedules here) sleeps for real.
    clock: { ...systemClock, now },
  });
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

/** Give a refused or ignored delivery the time an accepted one takes to be answered. */
async function settle() {
  await new Promise((resolve) => setTimeout(resolve, 300));
}

describe.each(PLATFORMS)('chat on %s', (platform) => {
  it('answers a valid command in its thread', async () => {
    const sent = await chat.say(platform, ALICE, 'help');
    expect(sent.status).toBe(200);
    const [reply] = await repliesIn(sent.thread);
    expect(reply?.text).toContain('plan NAME');
  });
});

/** Every refusal answers the same: why is in serve's log, not in the answer. */
const BARE_401 = JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'unauthorized' } });

/** A delivery with one thing changed; DingTalk's signature covers the timestamp alone. */
function tampered(platform: PlatformName, kind: 'body' | 'signature') {
  const { delivery } = chat.delivery(platform, ALICE, 'run quick');
  if (kind === 'body') {
    if (platform === 'wecom') {
      delivery.body = delivery.body.replace(
        /<Encrypt><!\[CDATA\[(.)/,
        (_all, c: string) => `<Encrypt><![CDATA[${c === 'A' ? 'B' : 'A'}`,
      );
    } else {
      delivery.body = delivery.body.replace('quick', 'three');
      if (platform === 'feishu')
        delivery.body = delivery.body.replace(
          /"encrypt":"(.)/,
          (_a, c: string) => `"encrypt":"${c === 'A' ? 'B' : 'A'}`,
        );
    }
  } else if (platform === 'wecom') {
    delivery.path = delivery.path.replace(
      /msg_signature=([0-9a-f])/,
      (_a, c: string) => `msg_signature=${c === '0' ? '1' : '0'}`,
    );
  } else {
    const header = { slack: 'x-slack-signature', dingtalk: 'sign', feishu: 'x-lark-signature' }[
      platform
    ];
    const value = delivery.headers[header] ?? '';
    delivery.headers[header] = `${value.slice(0, -4)}${value.endsWith('AAA=') ? 'BBB=' : 'AAA='}`;
  }
  return delivery;
}

describe.each(PLATFORMS)('refusals on %s', (platform) => {
  const snapshot = () => ({ replies: chat.replies().length, weights: endState(env).weights });
  const unchanged = async (was: ReturnType<typeof snapshot>) => {
    await settle();
    expect(chat.replies().length).toBe(was.replies);
    expect(endState(env).weights).toEqual(was.weights);
  };

  it('refuses a wrong signature with 401, changing nothing', async () => {
    const was = snapshot();
    const refused = await chat.send(tampered(platform, 'signature'));
    expect(refused).toEqual({ status: 401, answer: BARE_401 });
    await unchanged(was);
  });

  it('refuses a tampered body with 401, changing nothing', async () => {
    const was = snapshot();
    if (platform === 'dingtalk') {
      // DingTalk signs the timestamp only: the pair is spent by its first use, so a second body
      // under the same signature is a replay, answered and not acted on.
      const { delivery, thread } = chat.delivery(platform, ALICE, 'help');
      expect((await chat.send(delivery)).status).toBe(200);
      await repliesIn(thread);
      const afterFirst = snapshot();
      delivery.body = delivery.body
        .replace('help', 'run quick')
        .replace(/"msgId":"\w+"/, '"msgId":"msgother"');
      expect((await chat.send(delivery)).status).toBe(200);
      await unchanged(afterFirst);
      return;
    }
    expect((await chat.send(tampered(platform, 'body'))).status).toBe(401);
    await unchanged(was);
  });

  it('refuses a stale timestamp with 401, changing nothing', async () => {
    const was = snapshot();
    const { delivery } = chat.delivery(platform, ALICE, 'run quick');
    offsetMs = 2 * 60 * 60 * 1000;
    try {
      expect(await chat.send(delivery)).toEqual({ status: 401, answer: BARE_401 });
    } finally {
      offsetMs = 0;
    }
    await unchanged(was);
  });

  it('answers a replayed delivery once and acts on it once', async () => {
    const { delivery, thread } = chat.delivery(platform, ALICE, 'status');
    const earlier = chat.replies(thread).length;
    expect((await chat.send(delivery)).status).toBe(200);
    expect((await chat.send(delivery)).status).toBe(200);
    await repliesIn(thread, earlier + 1);
    await settle();
    expect(chat.replies(thread)).toHaveLength(earlier + 1);
  });

  it('tells a person without the permission what they lack', async () => {
    const sent = await chat.say(platform, 'carol03', 'run quick');
    const [reply] = await repliesIn(sent.thread);
    expect(reply?.text).toContain(
      `the run permission on quick: ${platform} user carol03 is not listed`,
    );
  });
});

describe('the DingTalk reply address', () => {
  it('ignores a message whose sessionWebhook is not on DingTalk, and posts nothing there', async () => {
    const hits: string[] = [];
    const trap = createServer((request, response) => {
      hits.push(request.url ?? '');
      response.end('{"errcode":0}');
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = trap.address() as AddressInfo;
      // DingTalk signs the timestamp only: the body, its sender and its sessionWebhook included,
      // is whatever the holder of one signed pair writes.
      // `help` is answered without planning, so a reply would reach the trap within settle().
      const { delivery } = chat.delivery('dingtalk', ALICE, 'help');
      delivery.body = delivery.body.replace(
        /"sessionWebhook":"[^"]*"/,
        `"sessionWebhook":"http://127.0.0.1:${port}/steal"`,
      );
      expect((await chat.send(delivery)).status).toBe(200);
      await settle();
      expect(hits).toEqual([]);
    } finally {
      await new Promise((resolve) => trap.close(resolve));
    }
  });
});

describe('the two-person rule', () => {
  it("refuses the requester's own approval, and an approval after the limit", async () => {
    const asked = await chat.say('slack', ALICE, 'run three');
    const [request] = await repliesIn(asked.thread);
    expect(request?.text).toContain('needs approval');
    expect(request?.text).toMatch(/Plan sha256 [0-9a-f]{64}/);
    const runId = /(r-\d{8}-\d{6}-[0-9a-f]{4})/.exec(request?.text ?? '')?.[1] ?? '';
    expect(runId).not.toBe('');
    const sha256 = /Plan sha256 ([0-9a-f]{64})/.exec(request?.text ?? '')?.[1] ?? '';

    const own = await chat.say('slack', ALICE, `approve ${runId} ${sha256}`);
    const [ownReply] = await repliesIn(own.thread);
    expect(ownReply?.text).toContain(
      'you asked for this run, so another authorized person must approve it',
    );

    offsetMs = 31 * 60_000;
    const late = await chat.say('slack', BOB, `approve ${runId} ${sha256}`);
    const [lateReply] = await repliesIn(late.thread).finally(() => {
      offsetMs = 0;
    });
    expect(lateReply?.text).toContain('the approval time limit passed');
    expect(serve.url).toBeDefined();
    expect(endState(env).weights).toEqual({
      'i-emu-web-1': 100,
      'i-emu-web-2': 100,
      'i-emu-web-3': 100,
    });
  });
});

describe('an approved run that cannot start', () => {
  it('waits for approval again and both threads are told why', async () => {
    const asked = await chat.say('slack', ALICE, 'run three');
    const [request] = await repliesIn(asked.thread);
    const runId = /(r-\d{8}-\d{6}-[0-9a-f]{4})/.exec(request?.text ?? '')?.[1] ?? '';
    const sha256 = /Plan sha256 ([0-9a-f]{64})/.exec(request?.text ?? '')?.[1] ?? '';
    expect(sha256).not.toBe('');
    // Another live run (this process, this host) holds the balancer.
    const ports = createCloudPorts({
      region: env.emu.region,
      endpoint: env.emu.endpoint,
      credentials: env.emu.credentials,
      clock: systemClock,
      logger: createLogger({ level: 'silent' }),
    });
    const holder = `run=r-other;pid=${process.pid};start=-;at=${new Date().toISOString()};host=${hostname()}`;
    await ports.loadBalancer.setTags(env.loadBalancerId, { 'drainctl-lock': holder });
    try {
      const approved = await chat.say('dingtalk', BOB, `approve ${runId} ${sha256}`);
      const [answer] = await repliesIn(approved.thread);
      expect(answer?.text).toContain(`${runId} did not start: LOCK_HELD`);
      const told = await repliesIn(asked.thread, 2);
      expect(told[1]?.text).toContain(`${runId} did not start: LOCK_HELD`);
      const status = await chat.say('slack', ALICE, `status ${runId}`);
      const [state] = await repliesIn(status.thread);
      expect(state?.text).toContain('waiting for approval');
    } finally {
      await ports.loadBalancer.removeTags(env.loadBalancerId, ['drainctl-lock']);
    }
    expect(Object.values(endState(env).weights)).toEqual([100, 100, 100]);
  });
});

describe('random requests', () => {
  it('never get a 500 nor stop the server', async () => {
    const seeded = (() => {
      let seed = 0x2f6b;
      return () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed / 0x7fffffff;
      };
    })();
    const pieces = [
      '{',
      '}',
      '"encrypt":',
      '<xml>',
      '</xml>',
      '<Encrypt>',
      'payload=',
      '%',
      '\u0000',
      'é',
      'type',
      'url_verification',
      '"challenge":"x"',
      '&',
      '=',
      '[',
      ']',
    ];
    const randomText = (max: number) =>
      Array.from(
        { length: Math.floor(seeded() * max) },
        () => pieces[Math.floor(seeded() * pieces.length)],
      ).join('');
    for (let i = 0; i < 200; i += 1) {
      const platform = PLATFORMS[i % PLATFORMS.length] ?? 'slack';
      const method = platform === 'wecom' && i % 3 === 0 ? 'GET' : 'POST';
      const headers: Record<string, string> = {
        'x-slack-request-timestamp': String(Math.floor(now() / 1000) - Math.floor(seeded() * 600)),
        'x-slack-signature': `v0=${randomText(4)}`,
        timestamp: String(now()),
        sign: randomText(3),
        'x-lark-request-timestamp': String(Math.floor(now() / 1000)),
        'x-lark-request-nonce': randomText(2),
        'x-lark-signature': randomText(2),
      };
      const query = new URLSearchParams({
        msg_signature: randomText(2),
        timestamp: String(Math.floor(now() / 1000)),
        nonce: '1',
        echostr: randomText(3),
      });
      const response = await fetch(`${serve.url}/chat/${platform}?${query}`, {
        method,
        headers: Object.fromEntries(
          Object.entries(headers).map(([k, v]) => [k, encodeURIComponent(v)]),
        ),
        ...(method === 'POST' ? { body: randomText(40) } : {}),
      });
      await response.text();
      expect(response.status, `${method} /chat/${platform}`).toBeLessThan(500);
    }
    const unsigned = await fetch(`${serve.url}/chat/feishu`, {
      method: 'POST',
      body: JSON.stringify({ type: 'url_verification', token: 'not-ours', challenge: 'c' }),
    });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.text()).toBe(BARE_401);
    expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
  });
});
