/**
 * `hooks`: commands around each server's maintenance — `before` while it still serves (before
 * its gate), `after` once it is back at full weight. On the server, or on this machine.
 */
import { z } from 'zod';
import { commandText, seconds } from './common-schema.js';

export const hookSchema = z
  .strictObject({
    on: z.enum(['host', 'local'], { error: 'host or local' }).default('host').meta({
      description: 'host: on the server (see access); local: on the machine running drainctl.',
    }),
    command: commandText.meta({
      description: 'Shell command; {instanceId}, {name} and {privateIp} are replaced.',
    }),
    timeoutSeconds: seconds('Seconds it may take; a failure fails the server.').default(300),
  })
  .meta({ description: 'A command run around each server.' });

export const hooksSchema = z
  .strictObject({
    before: z
      .array(hookSchema)
      .default([])
      .meta({ description: 'Before each server leaves service.' }),
    after: z.array(hookSchema).default([]).meta({ description: 'After each server is restored.' }),
  })
  .meta({ description: 'Commands around each server.' });

export type HooksSpec = z.output<typeof hooksSchema>;
export type HookSpec = z.output<typeof hookSchema>;
