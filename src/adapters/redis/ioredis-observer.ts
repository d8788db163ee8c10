/**
 * The RedisObserver over ioredis (loaded on first use: only workflows with a Redis inventory need
 * it). One plain connection per node, no cluster client: the view must be what each node says,
 * not what a client routing around failures would make of it.
 */
import { DrainctlError } from '../../errors/index.js';
import type {
  RedisClusterView,
  RedisConnectOptions,
  RedisObserver,
  RedisSentinelAnswer,
  RedisSentinelNode,
  RedisSentinelView,
} from '../../ports/index.js';
import { parseClusterNodes, parseInfo } from './cluster-nodes.js';
import { ask } from './connection.js';
import { entryAddress, flaggedDown, parseFieldList, parseFieldLists } from './sentinel-replies.js';

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

    async observeSentinel(sentinels, masterName, options): Promise<RedisSentinelView> {
      // Sentinels are asked without the nodes' password: theirs is configured apart.
      const sentinelOptions = { timeoutMs: options.timeoutMs };
      const replies = await Promise.all(
        sentinels.map(async (address) => {
          try {
            return {
              address,
              reply: await ask(address, sentinelOptions, async (c) => ({
                master: parseFieldList(await c.call('SENTINEL', 'MASTER', masterName)),
                replicas: parseFieldLists(await c.call('SENTINEL', 'REPLICAS', masterName)),
                others: parseFieldLists(await c.call('SENTINEL', 'SENTINELS', masterName)),
              })),
            };
          } catch (error) {
            return { address, error: error instanceof Error ? error.message : String(error) };
          }
        }),
      );
      const answers: RedisSentinelAnswer[] = replies.map((r) =>
        r.reply === undefined
          ? { address: r.address, error: r.error ?? 'no answer' }
          : { address: r.address, master: entryAddress(r.reply.master) },
      );
      const first = replies.find((r) => r.reply !== undefined);
      if (first?.reply === undefined) {
        throw new DrainctlError(
          'REDIS_UNREACHABLE',
          `no sentinel answered for master ${masterName} (${answers.map((a) => `${a.address}: ${a.error}`).join('; ')})`,
          {
            hint: 'check inventory.redis.sentinels, inventory.redis.masterName and that the sentinels run',
          },
        );
      }
      const { master, replicas, others } = first.reply;
      const listed = [
        { address: entryAddress(master), listedAs: 'master' as const, down: flaggedDown(master) },
        ...replicas.map((entry) => ({
          address: entryAddress(entry),
          listedAs: 'replica' as const,
          down: flaggedDown(entry),
        })),
      ];
      const nodes = await Promise.all(listed.map((node) => describeNode(node, options)));
      return {
        mode: 'sentinel',
        masterName,
        askedAt: first.address,
        quorum: Number(master.get('quorum') ?? 0),
        knownSentinels: others.length + 1,
        sentinels: answers,
        nodes,
      };
    },
  };
}

/** What a listed node says about itself; a node that does not answer keeps only the listing. */
async function describeNode(
  node: Pick<RedisSentinelNode, 'address' | 'listedAs' | 'down'>,
  options: RedisConnectOptions,
): Promise<RedisSentinelNode> {
  try {
    const [server, replication] = await ask(node.address, options, async (c) => [
      parseInfo(String(await c.call('INFO', 'server'))),
      parseInfo(String(await c.call('INFO', 'replication'))),
    ]);
    const replica = replication.get('role') === 'slave';
    const host = replication.get('master_host');
    const port = replication.get('master_port');
    const version = server.get('redis_version');
    return {
      ...node,
      role: replica ? 'replica' : 'master',
      ...(replica && host !== undefined && port !== undefined
        ? { masterAddress: `${host}:${port}` }
        : {}),
      linkUp: replication.get('master_link_status') === 'up',
      ...(version === undefined ? {} : { version }),
    };
  } catch {
    return { ...node, linkUp: false };
  }
}
