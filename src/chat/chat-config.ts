/**
 * The `chat` section of serve.yaml (who may do what to which workflow, from which platform) and
 * the platform secrets, which come from the environment only. A platform is enabled exactly when
 * its secrets are set; one half-set is an error, not a silently disabled endpoint.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors/index.js';

export const CHAT_PLATFORMS = ['slack', 'dingtalk', 'feishu', 'wecom'] as const;
export type ChatPlatform = (typeof CHAT_PLATFORMS)[number];

export const CHAT_ACTIONS = ['plan', 'run', 'approve', 'abort'] as const;
export type ChatAction = (typeof CHAT_ACTIONS)[number];

/**
 * The platforms whose senders' groups serve resolves through the platform's API. A `groups`
 * list for any other platform could never match, so serve.yaml naming one is refused at start.
 */
export const GROUP_RESOLVING_PLATFORMS: readonly ChatPlatform[] = ['slack', 'dingtalk'];

const ids = z.array(z.string().min(1).max(128)).default([]).meta({
  description: 'Platform ids (Slack U…/S…, DingTalk staffId, Feishu open_id, WeCom userid).',
});

const platformPeopleSchema = z.strictObject({
  users: ids,
  groups: ids.meta({
    description:
      'Groups or departments of the sender, as serve resolves them through the platform (Slack user groups, DingTalk/WeCom departments, Feishu user groups).',
  }),
});

const peopleSchema = z
  .strictObject({
    slack: platformPeopleSchema.optional(),
    dingtalk: platformPeopleSchema.optional(),
    feishu: platformPeopleSchema.optional(),
    wecom: platformPeopleSchema.optional(),
  })
  .default({});

const workflowChatSchema = z.strictObject({
  approval: z.enum(['required', 'none'], { error: 'one of required, none' }).default('none').meta({
    description: 'required: a second authorized person approves each run (two-person rule).',
  }),
  approvalTimeLimitMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional()
    .meta({ description: 'How long a request waits for approval (default: the section’s).' }),
  plan: peopleSchema,
  run: peopleSchema,
  approve: peopleSchema,
  abort: peopleSchema,
});

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

const platformSettingsSchema = z.strictObject({
  apiBaseUrl: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL' })
    .optional()
    .meta({
      description:
        'Base URL of the platform’s API: replies, and the connection mode’s gateway (tests point it at mocks/).',
    }),
});

/** The platforms that let the app open the connection (WeCom has no such mode). */
export const CONNECTION_PLATFORMS = ['slack', 'dingtalk', 'feishu'] as const;
export type ConnectionPlatform = (typeof CONNECTION_PLATFORMS)[number];

const connectablePlatformSchema = platformSettingsSchema.extend({
  mode: z.enum(['http', 'connection'], { error: 'one of http, connection' }).default('http').meta({
    description:
      'http: the platform POSTs to /chat/<platform>; connection: serve opens the platform’s long connection (Slack Socket Mode, DingTalk Stream, Feishu long connection) and /chat/<platform> answers 404.',
  }),
});

export const chatSectionSchema = z
  .strictObject({
    publicUrl: z
      .url({ protocol: /^https?$/, error: 'an http(s) URL' })
      .optional()
      .meta({
        description:
          'Where people reach this server: progress messages link to <publicUrl>/runs/<run id>.',
      }),
    approvalTimeLimitMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
    platforms: z
      .strictObject({
        slack: connectablePlatformSchema.optional(),
        dingtalk: connectablePlatformSchema.optional(),
        feishu: connectablePlatformSchema.optional(),
        wecom: platformSettingsSchema.optional(),
      })
      .default({}),
    workflows: z
      .record(z.string().regex(NAME, { error: 'a catalog name' }), workflowChatSchema)
      .default({})
      .meta({ description: 'Catalog workflows open to chat, and who may do what to each.' }),
  })
  .meta({
    description: 'Chat-ops: who may plan, run, approve and abort which workflow from chat.',
  });

export type ChatConfig = z.output<typeof chatSectionSchema>;
export type WorkflowChatConfig = z.output<typeof workflowChatSchema>;

/** The platforms serve.yaml puts in connection mode. */
export function connectionPlatforms(config: ChatConfig): ConnectionPlatform[] {
  return CONNECTION_PLATFORMS.filter(
    (platform) => config.platforms[platform]?.mode === 'connection',
  );
}

export interface ChatSecrets {
  slack?: { signingSecret: string };
  dingtalk?: { appSecret: string };
  feishu?: { encryptKey: string; verificationToken: string };
  wecom?: { token: string; encodingAesKey: string; corpId: string };
}

/** The environment variables of each platform, in the order its secrets object takes them. */
export const CHAT_SECRET_VARIABLES = {
  slack: { signingSecret: 'DRAINCTL_SLACK_SIGNING_SECRET' },
  dingtalk: { appSecret: 'DRAINCTL_DINGTALK_APP_SECRET' },
  feishu: {
    encryptKey: 'DRAINCTL_FEISHU_ENCRYPT_KEY',
    verificationToken: 'DRAINCTL_FEISHU_VERIFICATION_TOKEN',
  },
  wecom: {
    token: 'DRAINCTL_WECOM_TOKEN',
    encodingAesKey: 'DRAINCTL_WECOM_ENCODING_AES_KEY',
    corpId: 'DRAINCTL_WECOM_CORP_ID',
  },
} as const;

const ENCODING_AES_KEY = /^[A-Za-z0-9]{43}$/;

/**
 * The platforms the environment enables, with their secrets. Throws InvalidInputError when a
 * platform has some of its variables set and not the others, or a WeCom EncodingAESKey is not
 * the 43 characters WeCom issues. Serve registers every value with `registerSecret`.
 */
export function chatSecretsFromEnv(env: Readonly<Record<string, string | undefined>>): ChatSecrets {
  const secrets: Record<string, Record<string, string>> = {};
  for (const platform of CHAT_PLATFORMS) {
    const variables: Record<string, string> = CHAT_SECRET_VARIABLES[platform];
    const entries = Object.entries(variables).map(
      ([field, variable]) => [field, variable, env[variable]] as const,
    );
    const set = entries.filter(([, , value]) => value !== undefined && value !== '');
    if (set.length === 0) continue;
    if (set.length < entries.length) {
      const missing = entries
        .filter((entry) => !set.includes(entry))
        .map(([, variable]) => variable);
      throw new InvalidInputError(`chat: ${platform} is half configured`, {
        path: missing.join(', '),
        expected: `all of ${entries.map(([, variable]) => variable).join(', ')} (or none, to leave ${platform} off)`,
        found: `${missing.join(', ')} unset`,
      });
    }
    secrets[platform] = Object.fromEntries(set.map(([field, , value]) => [field, value ?? '']));
  }
  const aesKey = secrets.wecom?.encodingAesKey;
  if (aesKey !== undefined && !ENCODING_AES_KEY.test(aesKey)) {
    throw new InvalidInputError('chat: the WeCom EncodingAESKey is not one WeCom issues', {
      path: CHAT_SECRET_VARIABLES.wecom.encodingAesKey,
      expected: '43 letters and digits',
      found: `${aesKey.length} characters`,
    });
  }
  return secrets as ChatSecrets;
}

/** Every group id serve.yaml names for `platform`, in any role of any workflow, sorted. */
export function configuredGroups(config: ChatConfig, platform: ChatPlatform): string[] {
  const groups = new Set<string>();
  for (const rules of Object.values(config.workflows)) {
    for (const action of CHAT_ACTIONS) {
      for (const group of rules[action][platform]?.groups ?? []) groups.add(group);
    }
  }
  return [...groups].sort();
}
