/**
 * `health`: how drainctl proves a rebooted server is back — checks straight to the server (HTTP,
 * TCP) and the balancer's own view — passing `consecutiveSuccesses` times in a row.
 */
import { z } from 'zod';
import { httpStatusList, port, regexText, seconds, urlPath } from './common-schema.js';

export const healthCheckSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('http'),
      port: port("Port on the server's private address."),
      path: urlPath.default('/'),
      hostHeader: z.string().min(1).optional(),
      expectStatus: httpStatusList('Status codes that count as healthy.').default([200]),
      bodyMatch: regexText.optional().meta({ description: 'The body must match this.' }),
      timeoutSeconds: seconds('Seconds one check may take.').default(2),
    }),
    z.strictObject({
      type: z.literal('tcp'),
      port: port("Port on the server's private address."),
      timeoutSeconds: seconds('Seconds one connect may take.').default(2),
    }),
    z.strictObject({
      type: z.literal('load-balancer'),
      listenerPort: port('Only this listener (default: all).').optional(),
    }),
  ],
  { error: 'a check with type http, tcp or load-balancer' },
);

export const healthSchema = z
  .strictObject({
    checks: z
      .array(healthCheckSchema, { error: 'a list of checks' })
      .min(1, { error: 'at least one check' })
      .optional()
      .meta({
        description:
          "Checks that must all pass. Default: the first listener's health check (HTTP path or TCP connect) straight to the server's backend port.",
      }),
    consecutiveSuccesses: z
      .int({ error: 'a whole number ≥ 1' })
      .min(1, { error: 'a whole number ≥ 1' })
      .default(3)
      .meta({ description: 'All checks must pass this many times in a row.' }),
    intervalSeconds: seconds('Seconds between rounds of checks.').default(2),
    timeoutSeconds: seconds('Give up (server left out, rollout halted) after this long.').default(
      300,
    ),
  })
  .meta({ description: 'Proof a server is back and serving.' });

export type HealthSpec = z.output<typeof healthSchema>;
export type HealthCheckEntrySpec = z.output<typeof healthCheckSchema>;
