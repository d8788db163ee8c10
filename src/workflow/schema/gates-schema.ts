/**
 * `gates`: checks of a stateful system around each server — `before` while it still serves (it
 * leaves only once every one passes), `after` once it is back and verified (its weight comes back,
 * and the next server leaves, only once every one passes). A gate is asked until it passes or its
 * `timeoutSeconds` runs out, and fails closed: a check that cannot be made blocks. Kafka's "no
 * under-replicated partitions" and ZooKeeper's "a quorum without this node" are gates.
 */
import { z } from 'zod';
import { commandText, httpStatusList, port, regexText, seconds, urlPath } from './common-schema.js';

const gateName = z
  .string({ error: 'a gate name' })
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
    error: 'a gate name of lower-case letters, digits and dashes (up to 63)',
  })
  .meta({ description: 'Names the gate in the plan, the journal and messages.' });

const waiting = {
  timeoutSeconds: seconds(
    'Ask again until it passes, for at most this long; then it blocks and the rollout halts.',
  ).default(300),
  intervalSeconds: seconds('Seconds between two askings.').default(5),
};

export const statefulGateSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('command'),
      name: gateName,
      on: z.enum(['host', 'local'], { error: 'host or local' }).default('local').meta({
        description:
          'local: on the machine running drainctl (default); host: on the server itself (see access).',
      }),
      command: commandText.meta({
        description:
          'Shell command; {instanceId}, {name} and {privateIp} are replaced. It must change nothing: it is asked again and again.',
      }),
      exitCode: z
        .int({ error: 'an exit code from 0 to 255' })
        .min(0, { error: 'an exit code from 0 to 255' })
        .max(255, { error: 'an exit code from 0 to 255' })
        .default(0)
        .meta({ description: 'The exit code that passes.' }),
      outputMatches: regexText
        .optional()
        .meta({ description: 'The output must also match this regular expression.' }),
      commandTimeoutSeconds: seconds('Seconds one run of the command may take.').default(30),
      ...waiting,
    }),
    z.strictObject({
      type: z.literal('http'),
      name: gateName,
      host: z.string({ error: 'a host name or address' }).min(1).optional().meta({
        description:
          "Where to send the request; {instanceId}, {name} and {privateIp} are replaced. Default: the server's private address.",
      }),
      port: port('Port of the HTTP endpoint.'),
      path: urlPath.default('/'),
      expectStatus: httpStatusList('Status codes that pass.').default([200]),
      bodyMatch: regexText.optional().meta({ description: 'The body must match this.' }),
      requestTimeoutSeconds: seconds('Seconds one request may take.').default(5),
      ...waiting,
    }),
  ],
  { error: 'a gate with type command or http' },
);

export const gatesSchema = z
  .strictObject({
    before: z
      .array(statefulGateSchema)
      .default([])
      .meta({ description: 'Must pass before each server leaves service.' }),
    after: z
      .array(statefulGateSchema)
      .default([])
      .meta({ description: 'Must pass once each server is back, before its weight returns.' }),
  })
  .meta({ description: 'Checks of a stateful system (Kafka, ZooKeeper…) around each server.' });

export type GatesSpec = z.output<typeof gatesSchema>;
export type StatefulGateSpec = z.output<typeof statefulGateSchema>;
