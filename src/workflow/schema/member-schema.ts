/**
 * `member`: what each server is besides a backend of the balancer, so the run can take it out of
 * its own cluster safely. A Redis Cluster node: a master is failed over to an in-sync replica
 * before it leaves, a backup is taken first when asked, and once back it must have caught up
 * with its master before the next server goes.
 */
import { z } from 'zod';
import { seconds } from './common-schema.js';

/** The least the replica's offset may lag its master's and still be called in sync. */
export const DEFAULT_MAX_LAG_BYTES = 65_536;

export const redisMemberSchema = z
  .strictObject({
    address: z
      .string({ error: 'a host:port template like {privateIp}:6379' })
      .regex(/^[^\s:]+:\d{1,5}$/, { error: 'a host:port template like {privateIp}:6379' })
      .default('{privateIp}:6379')
      .meta({
        description:
          'The Redis node on each server, as host:port; {instanceId}, {name} and {privateIp} are replaced. Default {privateIp}:6379.',
      }),
    password: z.string().min(1).optional().meta({
      description:
        'AUTH password, as a reference to an environment variable; masked everywhere. Default: inventory.redis.password.',
    }),
    backup: z
      .strictObject({
        dir: z
          .string({ error: 'an absolute directory on the server' })
          .regex(/^\/[^\s'"`$\\;&|<>]*$/, {
            error: 'an absolute directory on the server, without spaces or shell characters',
          })
          .meta({ description: 'Where the RDB copy is kept on the server.' }),
        timeoutSeconds: seconds('Seconds BGSAVE and the copy may take together.').default(600),
      })
      .optional()
      .meta({
        description:
          'Before the server leaves: BGSAVE, wait until LASTSAVE changes, copy the RDB file into dir with a timestamped name and journal its sha256.',
      }),
    failoverTimeoutSeconds: seconds(
      'A master is failed over to an in-sync replica (CLUSTER FAILOVER); the roles must have swapped within this, else the rollout halts with the server in service.',
    ).default(60),
    catchUpTimeoutSeconds: seconds(
      'Once back, the node must be a replica with its link up, caught up with its master, and cluster_state ok everywhere within this, else it stays out and the rollout halts.',
    ).default(600),
    maxLagBytes: z
      .int({ error: 'a whole number of bytes ≥ 0' })
      .min(0, { error: 'a whole number of bytes ≥ 0' })
      .default(DEFAULT_MAX_LAG_BYTES)
      .meta({
        description:
          "A replica is in sync when its replication offset is at most this many bytes behind its master's (its link up).",
      }),
  })
  .meta({ description: 'Each server is a node of the Redis Cluster of inventory.redis.' });

export const memberSchema = z
  .strictObject({
    redis: redisMemberSchema.optional(),
  })
  .meta({
    description: 'What each server is in a stateful cluster, handled around its maintenance.',
  });

export type MemberSpec = z.output<typeof memberSchema>;
export type RedisMemberSpec = z.output<typeof redisMemberSchema>;
