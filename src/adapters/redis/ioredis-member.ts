/**
 * The RedisMemberClient over ioredis: the commands a Redis member's steps send, each on its own
 * connection to the one node (or sentinel) it is about; a node under Sentinel (`options.sentinel`)
 * through sentinel-member.ts.
 */
import type { Clock, RedisMemberClient } from '../../ports/index.js';
import { parseClusterNodes, parseInfo, parseReplication } from './cluster-nodes.js';
import { ask } from './connection.js';
import { sentinelMember } from './sentinel-member.js';

export function ioredisMemberClient(clock: Pick<Clock, 'monotonic' | 'sleep'>): RedisMemberClient {
  const sentinel = sentinelMember(clock);
  return {
    status: (address, options) =>
      options.sentinel !== undefined
        ? sentinel.status(address, options, options.sentinel)
        : ask(address, options, async (c) =>
            parseReplication(
              String(await c.call('CLUSTER', 'MYID')),
              String(await c.call('INFO', 'replication')),
              String(await c.call('CLUSTER', 'INFO')),
            ),
          ),
    clusterNodes: (address, options) =>
      options.sentinel !== undefined
        ? sentinel.clusterNodes(options, options.sentinel)
        : ask(address, options, async (c) =>
            parseClusterNodes(String(await c.call('CLUSTER', 'NODES'))),
          ),
    failover: (move, options) =>
      options.sentinel !== undefined
        ? sentinel.failover(move, options, options.sentinel)
        : ask(move.replica, options, async (c) => {
            await c.call('CLUSTER', 'FAILOVER');
          }),
    releaseWrites: async (address, options) => {
      if (options.sentinel !== undefined) await sentinel.releaseWrites(address, options);
    },
    finishDemotion: async (address, namedMaster, options) => {
      if (options.sentinel !== undefined)
        await sentinel.finishDemotion(address, namedMaster, options);
    },
    releaseStrandedPause: (address, options) =>
      options.sentinel !== undefined
        ? sentinel.releaseStrandedPause(address, options, options.sentinel)
        : Promise.resolve(false),
    saveState: (address, options) =>
      ask(address, options, async (c) => {
        const lastSave = Number(await c.call('LASTSAVE'));
        const dir = (await c.call('CONFIG', 'GET', 'dir')) as string[];
        const file = (await c.call('CONFIG', 'GET', 'dbfilename')) as string[];
        const persistence = parseInfo(String(await c.call('INFO', 'persistence')));
        return {
          lastSave,
          rdbPath: `${(dir[1] ?? '').replace(/\/$/, '')}/${file[1] ?? 'dump.rdb'}`,
          inProgress: persistence.get('rdb_bgsave_in_progress') === '1',
          lastStatus: persistence.get('rdb_last_bgsave_status') ?? 'unknown',
        };
      }),
    backgroundSave: (address, options) =>
      ask(address, options, async (c) => {
        try {
          await c.call('BGSAVE');
        } catch (error) {
          // One already running ends with a new LASTSAVE too, which is what the step waits for.
          if (!/already in progress/i.test(error instanceof Error ? error.message : String(error)))
            throw error;
        }
      }),
  };
}
