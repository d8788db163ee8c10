/**
 * `dns`: move a record onto the load balancer (the migration's cutover): lower its TTL first so
 * resolvers let go of the old answer quickly, wait out the old TTL, point it, confirm it, and
 * raise the TTL again once the rollout is done.
 */
import { z } from 'zod';
import { seconds } from './common-schema.js';

const ttlSeconds = (description: string) =>
  z
    .int({ error: 'a TTL: a whole number of seconds ≥ 1' })
    .min(1, { error: 'a TTL: a whole number of seconds ≥ 1' })
    .meta({ description });

export const dnsSchema = z
  .strictObject({
    domain: z
      .string({ error: 'a domain name like example.com' })
      .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, {
        error: 'a domain name like example.com',
      })
      .meta({ description: 'The zone, e.g. example.com.' }),
    record: z
      .string({ error: 'a host record like www or @' })
      .regex(
        /^(@|\*|(\*\.)?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*)$/i,
        {
          error: 'a host record like www or @',
        },
      )
      .meta({ description: 'Host record (RR) inside the zone: www, @, api.v2.' }),
    type: z.enum(['A', 'AAAA'], { error: 'A or AAAA' }).default('A'),
    pointTo: z
      .literal('loadBalancer', { error: 'loadBalancer' })
      .default('loadBalancer')
      .meta({ description: "Where the record goes: the load balancer's address." }),
    ttl: z
      .strictObject({
        lowerTo: ttlSeconds(
          'Lower the TTL to this before the cutover (and point with it). The edition may set a minimum (600 on free editions).',
        ).optional(),
        waitOldTtl: z.boolean().default(true).meta({
          description: 'After lowering, wait the old TTL so every resolver has the short one.',
        }),
        raiseTo: z
          .union([ttlSeconds('TTL after the rollout.'), z.literal('original')], {
            error: 'a TTL ≥ 1, or original',
          })
          .optional()
          .meta({ description: 'Raise the TTL after the rollout: a number, or original.' }),
      })
      .default({ waitOldTtl: true })
      .meta({ description: 'TTL handling around the cutover.' }),
    verify: z
      .strictObject({
        timeoutSeconds: seconds('How long the API and the name servers may take to agree.').default(
          120,
        ),
      })
      .default({ timeoutSeconds: 120 }),
  })
  .meta({ description: 'DNS cutover onto the load balancer.' });

export type DnsSpec = z.output<typeof dnsSchema>;
