/**
 * `rollout`: how many servers may be out of service at once, how many healthy ones must stay,
 * which servers must never be out together, in which order, and until when.
 */
import { z } from 'zod';
import { countOrPercent, instanceId, seconds } from './common-schema.js';

export const rolloutSchema = z
  .strictObject({
    maxUnavailable: countOrPercent(
      'At most this many servers of the run out of service at once (a count ≥ 1 or a percent of the fleet, rounded down, at least 1). Default 1.',
    ).default(1),
    minHealthy: countOrPercent(
      'At least this many healthy, weighted backends must stay on the balancer while servers are out (a count, or a percent of the serving backends, rounded up). Default 1.',
    ).default(1),
    groups: z
      .record(
        z.string().regex(/^[A-Za-z0-9][\w.-]{0,62}$/, {
          error: 'a group name of letters, digits, ".", "_" or "-"',
        }),
        z.array(instanceId, { error: 'a list of instance ids' }).min(1, {
          error: 'at least one instance id',
        }),
        { error: 'groups as `name: [instance ids]`' },
      )
      .default({})
      .meta({
        description:
          'Named groups (e.g. an active/standby pair); members of one group are never out of service at the same time.',
      }),
    order: z
      .union(
        [
          z.enum(['listed', 'name', 'id', 'balancer']),
          z.array(instanceId).min(1, { error: 'at least one instance id' }),
        ],
        { error: 'listed, name, id, balancer, or a list of instance ids' },
      )
      .default('listed')
      .meta({
        description:
          'Rollout order: listed (as in backends.instances; by name for tags/all), name, id, balancer (a fleet: servers on the same balancers together, so their weight changes share calls), or explicit ids first (the rest follow as listed).',
      }),
    stopOnFailure: z
      .boolean({ error: 'true or false' })
      .default(true)
      .meta({ description: 'Halt the rollout after the first server that fails (default true).' }),
    gatePatienceSeconds: seconds(
      'Seconds a gate blocked on capacity (minHealthy, a group peer) waits for it to clear before the rollout halts (a server restored a moment ago may not be counted healthy yet). Default 60.',
      { min: 0 },
    ).optional(),
    canary: z
      .strictObject({
        servers: z
          .int({ error: 'a whole number of servers, at least 1' })
          .min(1, { error: 'at least 1' })
          .default(1)
          .meta({ description: 'How many servers the first batch (the canary) holds. Default 1.' }),
        bakeMinutes: z
          .number({ error: 'minutes, a number above 0' })
          .positive({ error: 'above 0' })
          .max(1440, { error: 'at most 1440 (a day)' })
          .meta({
            description:
              'After the canary is back in service, watch the whole balancer this long before the next batch.',
          }),
        max5xxRate: z.number({ error: 'a rate from 0 to 1' }).min(0).max(1).default(0.01).meta({
          description:
            "Above this share of 5xx answers across every server's access log, or in the canary's own, during the bake, it fails. Default 0.01.",
        }),
        minRequests: z
          .int({ error: 'a whole number' })
          .min(1, { error: 'at least 1' })
          .default(20)
          .meta({
            description:
              'Fewer requests than this in the bake make its 5xx rate inconclusive (passes). Default 20.',
          }),
        maxLatencyMs: z
          .number({ error: 'milliseconds, a number above 0' })
          .positive({ error: 'above 0' })
          .optional()
          .meta({
            description:
              "Above this 95th percentile of the request time in every server's access log, or in the canary's own, during the bake, it fails (judged from minRequests timed requests). Needs a log format with $request_time. No default: latency is not judged.",
          }),
      })
      .optional()
      .meta({
        description:
          "A canary: the first batch bakes for bakeMinutes while the whole balancer is watched (5xx rate, latency when maxLatencyMs is set, the balancer's health view); a failed bake rolls it back and halts.",
      }),
    window: z
      .strictObject({
        end: z.iso
          .datetime({
            offset: true,
            error: 'an ISO time with offset, like 2026-11-21T05:00:00+08:00',
          })
          .meta({ description: 'No server starts unless its expected time fits before this.' }),
      })
      .optional()
      .meta({ description: 'The maintenance window.' }),
  })
  .meta({ description: 'Batching rules and safety budget of the rollout.' });

export type RolloutSpec = z.output<typeof rolloutSchema>;
