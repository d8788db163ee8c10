// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax of serve.yaml for environment references
/**
 * Chat authorization through Slack user groups and DingTalk departments, against the stand-ins
 * (mocks/chat-platforms) and the emulator: a person listed only through a group is allowed, a
 * person outside it is refused, and when the platform will not say which groups a person is in
 * the command is refused with why. Without the credentials that read groups, serve does not start.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ChatPlatforms, startChatPlatforms } from '#mocks/chat-platforms/index.js';
import { systemClock } from '#src/adapters/local/system-clock.js';
import { readEnvironment } from '#src/config/index.js';
import { InvalidInputError } from '#src/errors/index.js';
import { getLogger } from '#src/log/index.js';
import { type RunningServe, startServe } from '#src/serve/index.js';
import { type RunEnv, startRunEnv } from '#support/rollout-on-emulator.js';

const SLACK = {
  signingSecret: 'slack-signing-secret-for-tests-0001',
  botToken: 'xoxb-bot-token-for-tests',
  userGroups: { S0OPS: ['U0DANA'] } as Record<string, string[]>,
};
const DINGTALK = {
  appSecret: 'dingtalk-app-secret-for-tests-0001',
  appKey: 'dingdrainctltests',
  departments: { manager4220: [42, 7], staff7: [7] } as Record<string, number[]>,
};
const ENV = {
  DRAINCTL_DINGTALK_APP_SECRET: DINGTALK.appSecret,
  DRAINCTL_DINGTALK_APP_KEY: DINGTALK.appKey,
  DRAINCTL_SLACK_SIGNING_SECRET: SLACK.signingSecret,
  DRAINCTL_SLACK_BOT_TOKEN: SLACK.botToken,
  SERVE_OPERATOR_TOKEN: 'operator-token-for-tests-0123456789',
};

let env: RunEnv;
let serve: RunningServe | undefined;
let chat: ChatPlatforms;
let offsetMs = 0;
const now = () => Date.now() + offsetMs;

function start(processEnv: Record<string, string | undefined>) {
  return startServe({
    configFile: join(env.dir, 'serve.yaml'),
    host: '127.0.0.1',
    port: 0,
    home: env.home,
    environment: readEnvironment(processEnv, env.dir),
    env: processEnv,
    cwd: env.dir,
    logger: getLogger().child({}),
    clock: { ...systemClock, now },
  });
}

beforeAll(async () => {
  env = await startRunEnv();
  chat = await startChatPlatforms({
    drainctlUrl: () => serve?.url ?? '',
    secrets: { slack: SLACK, dingtalk: DINGTALK },
    now,
  });
  await writeFile(
    join(env.dir, 'serve.yaml'),
    [
      'catalog: { quick: ./crash-three.yaml }',
      'tokens:',
      '  - { name: ops, role: operator, token: "${SERVE_OPERATOR_TOKEN}" }',
      'chat:',
      `  platforms: { slack: { apiBaseUrl: "${chat.url}" }, dingtalk: { apiBaseUrl: "${chat.url}" } }`,
      '  workflows:',
      '    quick:',
      '      plan:',
      '        slack: { users: [U0ALICE], groups: [S0OPS] }',
      '        dingtalk: { users: [alice01], groups: ["42"] }',
      '',
    ].join('\n'),
  );
  const processEnv = { ...env.env, ...ENV };
  // Planning reads the cloud credentials from the process environment, as the CLI's does.
  for (const [name, value] of Object.entries(processEnv)) vi.stubEnv(name, value ?? '');
  serve = await start(processEnv);
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await serve?.shutdown('SIGTERM');
  await chat?.close();
  await env?.close();
});

/** The bot token answers with chat.postMessage: the reply lands in a thread of the channel. */
async function answerTo(user: string, text: string, channel: string): Promise<string> {
  const sent = await chat.say('slack', user, text, { channel });
  expect(sent.status).toBe(200);
  const reply = await vi.waitUntil(
    () => chat.replies().find((r) => r.thread.startsWith(`${channel}:`)),
    { timeout: 20_000, interval: 50 },
  );
  return reply.text;
}

describe('slack user groups', () => {
  it('allows a person listed only through a group, and refuses one outside it', async () => {
    expect(await answerTo('U0DANA', 'plan quick', 'C0GROUPA')).toContain('Plan sha256');
    expect(await answerTo('U0ERIN', 'plan quick', 'C0GROUPB')).toContain(
      'the plan permission on quick: slack user U0ERIN is not listed (nor any of their groups)',
    );
  });

  it('refuses, saying why, when Slack will not say who is in the group', async () => {
    delete SLACK.userGroups.S0OPS;
    // Past the time members are kept, serve asks Slack again.
    offsetMs += 6 * 60_000;
    const text = await answerTo('U0DANA', 'plan quick', 'C0GROUPC');
    expect(text).toContain('slack user U0DANA is not listed, and their groups could not be read');
    expect(text).toContain(
      'slack user group S0OPS: /api/usergroups.users.list refused: no_such_subteam',
    );
    expect(text).not.toContain('Plan sha256');
  });

  it('does not start without the bot token that reads the groups', async () => {
    const { DRAINCTL_SLACK_BOT_TOKEN: _unset, ...withoutToken } = { ...env.env, ...ENV };
    const error = await start(withoutToken).then(
      async (started) => {
        await started.shutdown('SIGTERM');
        return undefined;
      },
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).path).toBe('DRAINCTL_SLACK_BOT_TOKEN');
    expect(error).toMatchObject({ exitCode: 3 });
  });
});

describe('dingtalk departments', () => {
  async function answer(user: string): Promise<string> {
    const sent = await chat.say('dingtalk', user, 'plan quick');
    expect(sent.status).toBe(200);
    const [reply] = await vi.waitUntil(
      () => {
        const found = chat.replies(sent.thread);
        return found.length > 0 ? found : undefined;
      },
      { timeout: 20_000, interval: 50 },
    );
    return reply?.text ?? '';
  }

  it('allows a person listed only through a department, and refuses one outside it', async () => {
    expect(await answer('manager4220')).toContain('Plan sha256');
    expect(await answer('staff7')).toContain(
      'the plan permission on quick: dingtalk user staff7 is not listed (nor any of their groups)',
    );
  });

  it('refuses, saying why, when DingTalk will not tell the departments', async () => {
    const text = await answer('nobody9');
    expect(text).toContain(
      'dingtalk user nobody9 is not listed, and their groups could not be read',
    );
    expect(text).toContain('/topapi/v2/user/get refused: errcode 60121');
  });

  it('does not start without the app key that reads departments', async () => {
    const { DRAINCTL_DINGTALK_APP_KEY: _unset, ...withoutKey } = { ...env.env, ...ENV };
    const error = await start(withoutKey).then(
      async (started) => {
        await started.shutdown('SIGTERM');
        return undefined;
      },
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).path).toBe('DRAINCTL_DINGTALK_APP_KEY');
  });
});
