import { describe, expect, it } from 'vitest';
import { approvalTimeLimitMs, authorize, type ChatPrincipal } from '#src/chat/authorize.js';
import { chatSecretsFromEnv, chatSectionSchema } from '#src/chat/chat-config.js';
import { InvalidInputError } from '#src/errors/index.js';

const config = chatSectionSchema.parse({
  workflows: {
    'web-night': {
      approval: 'required',
      plan: { slack: { users: ['U-ALICE', 'U-BOB'] }, dingtalk: { groups: ['dept-ops'] } },
      run: { slack: { users: ['U-ALICE'] } },
      approve: { slack: { users: ['U-BOB'] }, feishu: { users: ['ou_carol'] } },
      abort: { slack: { groups: ['S-ONCALL'] } },
    },
    'db-night': { approvalTimeLimitMinutes: 10 },
  },
});

const alice: ChatPrincipal = { platform: 'slack', userId: 'U-ALICE' };
const bob: ChatPrincipal = { platform: 'slack', userId: 'U-BOB' };

describe('the chat section', () => {
  it('defaults: no approval, 30 minutes, nobody allowed anything', () => {
    expect(config.approvalTimeLimitMinutes).toBe(30);
    expect(config.workflows['db-night']).toMatchObject({ approval: 'none', plan: {}, run: {} });
    expect(approvalTimeLimitMs('web-night', config)).toBe(30 * 60_000);
    expect(approvalTimeLimitMs('db-night', config)).toBe(10 * 60_000);
  });

  it('refuses unknown keys and an approval value it does not know', () => {
    expect(chatSectionSchema.safeParse({ workflows: { w: { aproval: 'required' } } }).success).toBe(
      false,
    );
    expect(chatSectionSchema.safeParse({ workflows: { w: { approval: 'yes' } } }).success).toBe(
      false,
    );
    expect(chatSectionSchema.safeParse({ workflows: { '../w': {} } }).success).toBe(false);
  });
});

describe('authorize', () => {
  it.each([
    [alice, 'plan', true],
    [alice, 'run', true],
    [alice, 'approve', false],
    [bob, 'run', false],
    [bob, 'approve', true],
    [bob, 'deny', true],
    [alice, 'deny', false],
    [alice, 'abort', false],
    [{ platform: 'slack', userId: 'U-ZED', groups: ['S-ONCALL'] }, 'abort', true],
    [{ platform: 'dingtalk', userId: 'staff-1', groups: ['dept-ops'] }, 'plan', true],
    [{ platform: 'dingtalk', userId: 'U-ALICE' }, 'plan', false],
    [{ platform: 'feishu', userId: 'ou_carol' }, 'status', true],
    [{ platform: 'wecom', userId: 'carol' }, 'status', false],
  ] as const)('%o %s → %s', (principal, action, allowed) => {
    expect(authorize(principal, action, 'web-night', config).allowed).toBe(allowed);
  });

  it('says what the person lacks', () => {
    expect(authorize(alice, 'approve', 'web-night', config)).toEqual({
      allowed: false,
      lacks:
        'the approve permission on web-night: slack user U-ALICE is not listed (nor any of their groups)',
    });
    expect(authorize(alice, 'run', 'nightly', config)).toEqual({
      allowed: false,
      lacks: 'nightly is not open to chat (no chat.workflows.nightly)',
    });
    expect(authorize(alice, 'run', '__proto__', config).allowed).toBe(false);
  });
});

describe('chatSecretsFromEnv', () => {
  const wecom = {
    DRAINCTL_WECOM_TOKEN: 'tok',
    DRAINCTL_WECOM_ENCODING_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
    DRAINCTL_WECOM_CORP_ID: 'ww1',
  };

  it('enables exactly the platforms whose secrets are all set', () => {
    expect(chatSecretsFromEnv({})).toEqual({});
    expect(
      chatSecretsFromEnv({
        DRAINCTL_SLACK_SIGNING_SECRET: 's',
        DRAINCTL_DINGTALK_APP_SECRET: '',
        ...wecom,
      }),
    ).toEqual({
      slack: { signingSecret: 's' },
      wecom: { token: 'tok', encodingAesKey: wecom.DRAINCTL_WECOM_ENCODING_AES_KEY, corpId: 'ww1' },
    });
  });

  it('refuses a half-configured platform, naming the missing variable', () => {
    expect(() => chatSecretsFromEnv({ DRAINCTL_FEISHU_ENCRYPT_KEY: 'k' })).toThrow(
      InvalidInputError,
    );
    try {
      chatSecretsFromEnv({ DRAINCTL_FEISHU_ENCRYPT_KEY: 'k' });
    } catch (error) {
      expect(error).toMatchObject({ path: 'DRAINCTL_FEISHU_VERIFICATION_TOKEN' });
    }
  });

  it('refuses an EncodingAESKey WeCom would not issue, without printing it', () => {
    const bad = { ...wecom, DRAINCTL_WECOM_ENCODING_AES_KEY: 'short-key' };
    expect(() => chatSecretsFromEnv(bad)).toThrow(/EncodingAESKey/);
    try {
      chatSecretsFromEnv(bad);
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain('short-key');
      expect((error as Error).message).not.toContain('short-key');
    }
  });
});
