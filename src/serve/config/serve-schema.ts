// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax for environment references
/**
 * What `serve.yaml` may say: the catalog of workflows that may be started remotely, the API
 * tokens with their roles, schedules, notification targets, the alert gate, the metrics
 * endpoint's access and chat-ops. Pure (zod only): the loader reads the file and
 * interpolates `${VAR}` through the workflow's pipeline, so both files fail the same way.
 */
import { z } from 'zod';
import { chatSectionSchema } from '../../chat/chat-config.js';
import { schedulesSchema } from '../../schedule/index.js';
import { notifySchema } from '../../workflow/index.js';
import { alertGateSchema } from '../../workflow/schema/alert-gate-schema.js';

export const ROLES = ['viewer', 'operator', 'approver'] as const;
export type Role = (typeof ROLES)[number];

/** A catalog name or a token name: what a URL, a log line and a metric label may carry. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const nameText = z.string().regex(NAME, { error: 'a name of letters, digits, _ . - (≤ 63)' });

/** The `schedules` section: the scheduler's own schema (names unique, each window checked). */
export function scheduleSectionSchema() {
  return schedulesSchema
    .default([])
    .meta({ description: 'Patch-night schedules (docs/schedules.md).' });
}

/** The `alertGate` section: the workflow's `alertGate` block, asked before a scheduled run. */
export function alertGateSectionSchema() {
  return alertGateSchema
    .optional()
    .meta({ description: 'The Prometheus alert gate asked before a scheduled run starts.' });
}

const tokenSchema = z
  .strictObject({
    name: nameText.meta({ description: 'Who holds the token: journaled with every change.' }),
    role: z
      .enum(ROLES, { error: `one of ${ROLES.join(', ')}` })
      .meta({ description: 'viewer: reads; operator: start, abort, resume; approver: approvals.' }),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, { error: 'the token’s sha256, 64 lower-case hex digits' })
      .optional()
      .meta({ description: 'SHA-256 of the token (`printf %s TOKEN | sha256sum`).' }),
    token: z
      .string()
      .min(16, { error: 'at least 16 characters (a ${VAR} reference to a long random value)' })
      .optional()
      .meta({ description: 'The token as ${ENV_VAR}; hashed when the file is read.' }),
  })
  .refine((token) => (token.sha256 === undefined) !== (token.token === undefined), {
    error: 'exactly one of sha256 and token',
  });

export const serveConfigSchema = z
  .strictObject({
    catalog: z
      .record(nameText, z.string().min(1, { error: 'a workflow file path' }))
      .refine((catalog) => Object.keys(catalog).length > 0, { error: 'at least one workflow' })
      .meta({
        description:
          'Workflows that may be started remotely, by name; paths relative to this file.',
      }),
    tokens: z.array(tokenSchema).min(1, { error: 'at least one token' }),
    metrics: z
      .strictObject({
        public: z
          .boolean()
          .default(false)
          .meta({ description: 'Serve /metrics without a token (default: a viewer token).' }),
      })
      .default({ public: false }),
    publicUrl: z
      .url({ protocol: /^https?$/, error: 'an http(s) URL like https://drainctl.example.com' })
      .optional()
      .meta({
        description:
          'Where people reach this server (behind its TLS proxy): notifications link to <publicUrl>/runs/<id>.',
      }),
    schedules: scheduleSectionSchema(),
    notify: notifySchema.optional(),
    alertGate: alertGateSectionSchema(),
    chat: chatSectionSchema.optional(),
  })
  .meta({ title: 'drainctl serve configuration' });

export type ServeConfigDocument = z.output<typeof serveConfigSchema>;
