/**
 * The RedisObserver over ioredis (loaded on first use: only workflows with a Redis inventory need
 * it). One plain connection per node, no cluster client: the view must be what each node says,
 * not what a client routing around failures would make of it.
 */
import { DrainctlError } from '../../errors/index.js';
import type { RedisClusterView, RedisObserver } from '../../ports/index.js';
import { parseClusterNodes, parseInfo } from './cluster-nodes.js';
import { ask } from './connection.js';

export function ioredisObserver(): RedisObserver {
  return {
    async observeCluster(seeds, options): Promise<RedisClusterView> {
      const failures: string[] = [];
      for (const seed of seeds) {
        try {
          const [info, nodesText] = await ask(seed, options, async (c) => [
            String(await c.call('CLUSTER', 'INFO')),
            String(await c.call('CLUSTER', 'NODES')),
          ]);
          const fields = parseInfo(info);
          const nodes = await Promise.all(
            parseClusterNodes(nodesText).map(async (node) => {
              try {
                const server = await ask(node.address, options, async (c) =>
                  String(await c.call('INFO', 'server')),
                );
                const version = parseInfo(server).get('redis_version');
                return version === undefined ? node : { ...node, version };
              } catch {
                return node;
              }
            }),
          );
          return {
            askedAt: seed,
            clusterState: fields.get('cluster_state') ?? 'unknown',
            slotsAssigned: Number(fields.get('cluster_slots_assigned') ?? 0),
            nodes,
          };
        } catch (error) {
          failures.push(`${seed}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      throw new DrainctlError(
        'REDIS_UNREACHABLE',
        `no Redis seed answered (${failures.join('; ')})`,
        { hint: 'check inventory.redis.seeds, the password and that the nodes run' },
      );
    },
  };
}
