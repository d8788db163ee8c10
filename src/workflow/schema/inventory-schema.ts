/**
 * `inventory`: the topology the workflow expects of a stateful system, checked against what it
 * says about itself by `inspect` and before every plan; any difference refuses the plan, naming
 * it. A Redis Cluster: how many masters and replicas, every hash slot served, the least version.
 * Redis under Sentinel: the master the sentinels name, how many replicas follow it, the least
 * version, and enough sentinels answering to reach their quorum.
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

const password = z.string().min(1).optional().meta({
  description: 'AUTH password, as a reference to an environment variable; masked everywhere.',
});

const minVersion = z
  .string({ error: 'a version like 7.0 or 7.2.4' })
  .regex(/^\d+(\.\d+){0,2}$/, { error: 'a version like 7.0 or 7.2.4' })
  .optional()
  .meta({ description: 'Every node runs at least this redis_version.' });

const redisClusterInventorySchema = z
  .strictObject({
    mode: z.literal('cluster', { error: 'cluster or sentinel' }).default('cluster').meta({
      description: 'cluster: Redis Cluster (CLUSTER NODES and CLUSTER INFO are asked).',
    }),
    seeds: z
      .array(address, { error: 'a list of host:port addresses' })
      .min(1, { error: 'at least one host:port address' })
      .meta({ description: 'Nodes to ask, in order, until one answers.' }),
    password,
    timeoutSeconds: seconds('Seconds a node may take to answer.').default(5),
    expect: z
      .strictObject({
        masters: count('Masters serving slots.'),
        replicas: count('Replicas, all masters together.'),
        allSlotsCovered: z
          .boolean({ error: 'true or false' })
          .default(true)
          .meta({ description: 'All 16384 hash slots served and cluster_state ok.' }),
        minVersion,
      })
      .meta({ description: 'The topology the plan requires.' }),
  })
  .meta({ description: 'A Redis Cluster the rollout touches.' });

const redisSentinelInventorySchema = z
  .strictObject({
    mode: z.literal('sentinel', { error: 'cluster or sentinel' }).meta({
      description:
        'sentinel: one master and its replicas watched by Redis Sentinel (SENTINEL MASTER, REPLICAS and SENTINELS are asked, and every node its INFO).',
    }),
    sentinels: z
      .array(address, { error: 'a list of host:port addresses' })
      .min(1, { error: 'at least one host:port address' })
      .meta({
        description:
          'Every sentinel watching the master; each is asked, and at least the quorum must answer.',
      }),
    masterName: z
      .string({ error: 'the name the sentinels monitor the master by' })
      .regex(/^\S+$/, { error: 'the name the sentinels monitor the master by' })
      .meta({
        description: 'The name the sentinels monitor the master by (sentinel monitor <name>).',
      }),
    password: password.meta({
      description:
        'AUTH password of the Redis nodes (not the sentinels), as a reference to an environment variable; masked everywhere.',
    }),
    timeoutSeconds: seconds('Seconds a node or sentinel may take to answer.').default(5),
    expect: z
      .strictObject({
        replicas: count('Replicas of the master, each with its link up.'),
        minVersion,
      })
      .meta({ description: 'The topology the plan requires.' }),
  })
  .meta({ description: 'A Redis master with replicas under Sentinel the rollout touches.' });

export const redisInventorySchema = z
  .discriminatedUnion('mode', [redisClusterInventorySchema, redisSentinelInventorySchema], {
    error: 'mode cluster (the default) or sentinel',
  })
  .meta({ description: 'A Redis Cluster, or a Redis master under Sentinel, the rollout touches.' });

export const inventorySchema = z
  .strictObject({
    redis: redisInventorySchema.optional(),
  })
  .meta({ description: 'Expected topology of stateful systems, checked before every plan.' });

export type InventorySpec = z.output<typeof inventorySchema>;
export type RedisInventorySpec = z.output<typeof redisInventorySchema>;
export type RedisClusterInventorySpec = z.output<typeof redisClusterInventorySchema>;
export type RedisSentinelInventorySpec = z.output<typeof redisSentinelInventorySchema>;
