// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the workflow syntax for environment references
/**
 * `notify`: where run events are announced (docs/notifications.md), by `drainctl run`, `resume`
 * and `serve`. Secrets (webhook URLs, signing keys) must come from the environment as `${VAR}`,
 * never written in the file.
 */
import { z } from 'zod';

/**
 * Event names a channel may pick. `done` and `failed` are the `finished` event of a run that
 * completed or failed (the names of the first version, still accepted).
 */
export const NOTIFY_EVENTS = [
  'planned',
  'started',
  'node-done',
  'node-left-out',
  'halted',
  'aborted',
  'finished',
  'done',
  'failed',
  'approval-needed',
  'schedule-skipped',
  'alert-gate-blocking',
] as const;

export type NotifyEventName = (typeof NOTIFY_EVENTS)[number];

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
  ratePerMinute: z.int().min(1).max(600).optional().meta({
    description:
      'Messages a minute at most; more are summed up in one message (default: 20 for chat platforms, 60 for webhook).',
  }),
});

export const notifySchema = z
  .strictObject({
    channels: z.array(notifyChannelSchema).min(1, { error: 'at least one channel' }),
  })
  .meta({
    description:
      'Chat and webhook notifications of the run: never block or fail it (docs/notifications.md).',
  });

export type NotifySpec = z.output<typeof notifySchema>;
export type NotifyChannelSpec = z.output<typeof notifyChannelSchema>;
