/**
 * `inventory`: the topology the workflow expects of a stateful system, checked against what it
 * says about itself by `inspect` and before every plan; any difference refuses the plan, naming
 * it. A Redis cluster: how many masters and replicas, every hash slot served, the least version.
 */
import { z } from 'zod';
import { seconds } from './common-schema.js';

const address = z
  .string({ error: 'a host:port address' })
  .regex(/^[^\s:]+:\d{1,5}$/, { error: 'a host:port address' });

const count = (description: string) =>
  z
    .int({ error: 'a whole number ≥ 0' })
    .min(0, { error: 'a whole number ≥ 0' })
    .meta({ description });

export const redisInventorySchema = z
  .strictObject({
    mode: z.literal('cluster', { error: 'cluster' }).default('cluster').meta({
      description: 'cluster: Redis Cluster (CLUSTER NODES and CLUSTER INFO are asked).',
    }),
    seeds: z
      .array(address, { error: 'a list of host:port addresses' })
      .min(1, { error: 'at least one host:port address' })
      .meta({ description: 'Nodes to ask, in order, until one answers.' }),
    password: z.string().min(1).optional().meta({
      description: 'AUTH password, as a reference to an environment variable; masked everywhere.',
    }),
    timeoutSeconds: seconds('Seconds a node may take to answer.').default(5),
    expect: z
      .strictObject({
        masters: count('Masters serving slots.'),
        replicas: count('Replicas, all masters together.'),
        allSlotsCovered: z
          .boolean({ error: 'true or false' })
          .default(true)
          .meta({ description: 'All 16384 hash slots served and cluster_state ok.' }),
        minVersion: z
          .string({ error: 'a version like 7.0 or 7.2.4' })
          .regex(/^\d+(\.\d+){0,2}$/, { error: 'a version like 7.0 or 7.2.4' })
          .optional()
          .meta({ description: 'Every node runs at least this redis_version.' }),
      })
      .meta({ description: 'The topology the plan requires.' }),
  })
  .meta({ description: 'A Redis cluster the rollout touches.' });

export const inventorySchema = z
  .strictObject({
    redis: redisInventorySchema.optional(),
  })
  .meta({ description: 'Expected topology of stateful systems, checked before every plan.' });

export type InventorySpec = z.output<typeof inventorySchema>;
export type RedisInventorySpec = z.output<typeof redisInventorySchema>;
