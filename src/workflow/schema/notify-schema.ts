// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the workflow syntax for environment references
/**
 * `notify`: where run events are announced. Validated now, sent by a later version. Secrets
 * (signing keys) must come from the environment as `${VAR}`, never written in the file.
 */
import { z } from 'zod';

export const NOTIFY_EVENTS = [
  'started',
  'node-done',
  'node-left-out',
  'halted',
  'done',
  'failed',
] as const;

export const notifyChannelSchema = z.strictObject({
  type: z
    .enum(['dingtalk', 'feishu', 'wecom', 'slack', 'webhook'], {
      error: 'one of dingtalk, feishu, wecom, slack, webhook',
    })
    .meta({ description: 'Kind of chat room or endpoint.' }),
  url: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL (usually given as ${ENV_VAR})' })
    .meta({ description: 'Webhook URL; it often holds a token, so give it as ${ENV_VAR}.' }),
  secret: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Signing secret, as ${ENV_VAR} (a literal secret is refused).' }),
  events: z
    .array(z.enum(NOTIFY_EVENTS, { error: `one of ${NOTIFY_EVENTS.join(', ')}` }))
    .min(1)
    .optional()
    .meta({ description: 'Events sent to this channel (default: all).' }),
});

export const notifySchema = z
  .strictObject({
    channels: z.array(notifyChannelSchema).min(1, { error: 'at least one channel' }),
  })
  .meta({
    description: 'Chat and webhook notifications (accepted and validated; sending comes later).',
  });

export type NotifySpec = z.output<typeof notifySchema>;
