/**
 * `backends`: which servers the rollout covers, and at which weights new ones join the balancer.
 * Exactly one selector: `instances` (ids, in rollout order), `tags` (an ECS tag selector), `all`
 * (every backend already on an existing balancer) or, in a fleet workflow, `balancers` (every
 * backend of these balancers).
 */
import { z } from 'zod';
import { instanceId, tags, weight } from './common-schema.js';

/**
 * At most this many servers in one workflow: what one machine was measured to run in one night
 * (`npm run bench:fleet`, docs/benchmarks.md); split bigger fleets into several workflows.
 */
export const MAX_FLEET_SIZE = 1000;

const loadBalancerId = z
  .string({ error: 'a load balancer id like lb-bp1abc' })
  .regex(/^lb-[A-Za-z0-9][A-Za-z0-9-]*$/, { error: 'a load balancer id like lb-bp1abc' });

export const backendEntrySchema = z
  .union(
    [
      instanceId,
      z.strictObject({
        id: instanceId,
        initialWeight: weight(
          'Weight this server is added at when it is not on the balancer yet (overrides backends.initialWeight).',
        ).optional(),
        weight: weight(
          'Serving weight (overrides backends.weight). A server added below it is brought into service (ramped) before the rollout.',
          1,
        ).optional(),
      }),
    ],
    { error: 'an instance id like i-bp1abc2def, or {id, initialWeight, weight}' },
  )
  .meta({ description: 'An instance id, or {id, initialWeight, weight}.' });

export const backendsSchema = z
  .strictObject({
    instances: z
      .array(backendEntrySchema, { error: 'a list of instance ids' })
      .min(1, { error: 'at least one instance' })
      .max(MAX_FLEET_SIZE, {
        error: `at most ${MAX_FLEET_SIZE} instances in one workflow (split the fleet)`,
      })
      .optional()
      .meta({ description: 'The servers, by instance id, in their default rollout order.' }),
    tags: tags('Select every Running ECS instance carrying all of these tags.').optional(),
    all: z
      .literal(true, { error: 'true (every backend of the existing balancer)' })
      .optional()
      .meta({ description: 'Every backend already on the (existing) balancer.' }),
    balancers: z
      .strictObject({
        ids: z
          .array(loadBalancerId, { error: 'a list of load balancer ids' })
          .min(1, { error: 'at least one load balancer id' })
          .optional()
          .meta({ description: 'The balancers, by id.' }),
        tags: tags('Every balancer in the region carrying all of these tags.').optional(),
      })
      .optional()
      .meta({
        description:
          'Fleet workflows (no loadBalancer): every backend of these balancers — by ids or by tags, one of them.',
      }),
    initialWeight: weight('Weight new servers are added at (default 100).').default(100),
    weight: weight('Weight servers serve at once in service (default 100).', 1).default(100),
  })
  .meta({
    description:
      'Which servers the rollout covers. Give one of instances, tags, all (single balancer), balancers (fleet).',
  });

export type BackendsSpec = z.output<typeof backendsSchema>;
