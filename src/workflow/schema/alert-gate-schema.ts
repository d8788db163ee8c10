// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the workflow syntax for environment references
/**
 * `alertGate`: a Prometheus query asked right before each server leaves service; while it
 * returns any series (after the label filter), the server waits. The same block configures the
 * gate `drainctl serve` asks before a scheduled run starts. Credentials come from the
 * environment as `${VAR}`, never written in the file.
 */
import { z } from 'zod';
import { seconds } from './common-schema.js';

/** Firing alerts only: pending ones have not held long enough to mean anything yet. */
export const DEFAULT_ALERT_QUERY = 'ALERTS{alertstate="firing"}';

const secretReference = (description: string) =>
  z
    .string({ error: 'a reference to an environment variable like ${PROMETHEUS_TOKEN}' })
    .min(1, { error: 'a reference to an environment variable like ${PROMETHEUS_TOKEN}' })
    .meta({ description: `${description}, as \${ENV_VAR} (a literal value is refused).` });

export const alertGateAuthSchema = z
  .union(
    [
      z.strictObject({ bearerToken: secretReference('Bearer token') }),
      z.strictObject({
        username: z.string().min(1).meta({ description: 'Basic auth user name.' }),
        password: secretReference('Basic auth password'),
      }),
    ],
    { error: '{ bearerToken } or { username, password }' },
  )
  .meta({ description: 'Credentials for the query endpoint (bearer token or basic auth).' });

export const alertGateSchema = z
  .strictObject({
    prometheusUrl: z
      .url({ protocol: /^https?$/, error: 'an http(s) URL like http://prometheus:9090' })
      .meta({
        description: 'Base URL of Prometheus (or a compatible API); /api/v1/query is asked.',
      }),
    query: z
      .string({ error: 'a PromQL expression' })
      .trim()
      .min(1, { error: 'a PromQL expression' })
      .default(DEFAULT_ALERT_QUERY)
      .meta({
        description: `PromQL instant query; every series it returns blocks (default: firing alerts, ${DEFAULT_ALERT_QUERY}).`,
      }),
    labels: z
      .record(
        z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: 'a Prometheus label name' }),
        z.string({ error: 'a label value (text)' }),
      )
      .default({})
      .meta({
        description:
          'Label filter: only series with every one of these labels at exactly this value block (e.g. severity: critical).',
      }),
    timeoutMs: z
      .int({ error: 'a whole number of milliseconds from 100 to 60000' })
      .min(100, { error: 'a whole number of milliseconds from 100 to 60000' })
      .max(60_000, { error: 'a whole number of milliseconds from 100 to 60000' })
      .default(5000)
      .meta({ description: 'The query must be answered within this; else the gate is blocked.' }),
    auth: alertGateAuthSchema.optional(),
    maxWaitMinutes: z
      .int({ error: 'a whole number of minutes from 0 to 1440' })
      .min(0, { error: 'a whole number of minutes from 0 to 1440' })
      .max(1440, { error: 'a whole number of minutes from 0 to 1440' })
      .default(30)
      .meta({
        description:
          'How long a server waits for the gate to open before the run halts with it untouched (0: halt at once).',
      }),
    pollSeconds: seconds('Seconds between two questions while the gate is blocked.', {
      max: 600,
    }).default(30),
  })
  .meta({
    description:
      'Prometheus alert gate: no server leaves service while the query returns anything (fails closed).',
  });

export type AlertGate = z.output<typeof alertGateSchema>;
