/**
 * The Sentinel half of the RedisMemberClient: a node's role judged against the master the
 * sentinels name, the topology as a sentinel lists it, and a failover that loses no acknowledged
 * write (writes paused on the master, every linked replica at its offset, then SENTINEL FAILOVER).
 */
import type {
  Clock,
  RedisClusterNode,
  RedisConnectOptions,
  RedisNodeStatus,
  RedisSentinelTarget,
} from '../../ports/index.js';
import { parseInfo, parseReplication } from './cluster-nodes.js';
import { ask, type Connection } from './connection.js';
import {
  entryAddress,
  flaggedDown,
  noFailoverUnderWay,
  parseFieldList,
  parseFieldLists,
  type SentinelView,
  sentinelsUnsettled,
} from './sentinel-replies.js';

const CATCH_UP_POLL_MS = 20;
/** Sentinels refresh a replica's role every ten seconds: asked again four times a second. */
const SETTLE_POLL_MS = 250;
/** One such refresh and some: waited for before anything is paused, so it costs only time. */
const SETTLE_WITHIN_MS = 15_000;

export function sentinelMember(clock: Pick<Clock, 'monotonic' | 'sleep'>) {
  return {
    async status(
      address: string,
      options: RedisConnectOptions,
      sentinel: RedisSentinelTarget,
    ): Promise<RedisNodeStatus> {
      const replication = await ask(address, options, async (c) =>
        String(await c.call('INFO', 'replication')),
      );
      const status = parseReplication(address, replication, '');
      const named = await askSentinels(sentinel, options, async (c) =>
        masterAddress(await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', sentinel.masterName)),
      );
      const own = status.role === 'master' ? address : status.masterAddress;
      return {
        ...status,
        namedMaster: named,
        clusterState: own === named ? 'ok' : `sentinels name ${named} master`,
      };
    },

    clusterNodes: (options: RedisConnectOptions, sentinel: RedisSentinelTarget) =>
      askSentinels(sentinel, options, async (c): Promise<RedisClusterNode[]> => {
        const master = parseFieldList(await c.call('SENTINEL', 'MASTER', sentinel.masterName));
        const replicas = parseFieldLists(await c.call('SENTINEL', 'REPLICAS', sentinel.masterName));
        const masterAt = entryAddress(master);
        return [
          {
            id: masterAt,
            address: masterAt,
            role: 'master',
            slots: 0,
            failing: flaggedDown(master),
          },
          ...replicas.map((entry) => {
            const at = entryAddress(entry);
            const host = entry.get('master-host');
            const port = entry.get('master-port');
            return {
              id: at,
              address: at,
              role: 'replica' as const,
              masterId: host === undefined || port === undefined ? masterAt : `${host}:${port}`,
              slots: 0,
              // Not its master-link-status: sentinels refresh it every ten seconds, and the
              // steps ask each replica itself.
              failing: flaggedDown(entry),
            };
          }),
        ];
      }),

    async failover(
      move: { master: string; replica: string; timeoutMs: number },
      options: RedisConnectOptions,
      sentinel: RedisSentinelTarget,
    ): Promise<void> {
      // Before anything is paused: a sentinel with a stale view of a replica's role would undo
      // the promotion (sentinel-replies.ts, `sentinelsUnsettled`).
      await sentinelsAgree(clock, sentinel, options, move.master, SETTLE_WITHIN_MS);
      await ask(move.master, options, (c) =>
        c.call('CLIENT', 'PAUSE', String(move.timeoutMs), 'WRITE'),
      );
      let promoted: string;
      try {
        // Sentinel promotes the replica it judges best, not necessarily the one chosen here: every
        // replica linked to the master must have every write before any is promoted.
        const replicas = await everyReplicaCaughtUp(clock, move, options);
        await askSentinels(sentinel, options, (c) =>
          c.call('SENTINEL', 'FAILOVER', sentinel.masterName),
        );
        promoted = await promotedReplica(clock, replicas, move.timeoutMs / 2, options);
      } catch (error) {
        await unpause(move.master, options, error);
        throw error;
      }
      // Sentinel demotes the old master only seconds after the promotion, and its demotion
      // waits out the pause; unpaused before, the old master would take writes the new one never
      // sees. So it is demoted here, while its writes are still held, and only then are they
      // released.
      await demoteAndRelease(move.master, promoted, options);
    },

    releaseWrites: (address: string, options: RedisConnectOptions) => unpause(address, options),

    /**
     * A master the sentinels no longer name, its writes perhaps still paused: a failover whose
     * process died after SENTINEL FAILOVER and before the demotion. It is demoted as `failover`
     * ends (Sentinel would do the same, but only once the pause ran out).
     */
    finishDemotion: (address: string, namedMaster: string, options: RedisConnectOptions) =>
      demoteAndRelease(address, namedMaster, options),

    /**
     * A master the sentinels still name, its writes perhaps paused by a failover whose process
     * died before the failover began: released once every sentinel says no failover of it is
     * under way (`noFailoverUnderWay`). Resolves whether it was.
     */
    async releaseStrandedPause(
      address: string,
      options: RedisConnectOptions,
      sentinel: RedisSentinelTarget,
    ): Promise<boolean> {
      const masters = await Promise.all(
        // One not reached is an answer here (undefined): the pause is then left to run out.
        sentinel.sentinels.map((at) =>
          ask(at, { timeoutMs: options.timeoutMs }, async (c) =>
            parseFieldList(await c.call('SENTINEL', 'MASTER', sentinel.masterName)),
          ).catch(() => undefined),
        ),
      );
      if (!noFailoverUnderWay(masters, address)) return false;
      await unpause(address, options);
      return true;
    },
  };
}

/**
 * `REPLICAOF` the promoted node on the old master while its writes are still held (REPLICAOF
 * is not held by a write pause), then its clients dropped, as Sentinel does when it demotes a
 * master (they reconnect through the sentinels rather than keep writing to a replica), and only
 * then the pause lifted. All on one connection, the pause lifted last: a sentinel reconfiguring
 * the node may drop other connections to it. Whatever cuts it short, the pause is lifted on a
 * connection of its own; once REPLICAOF was answered the demotion has happened, and the caller's
 * wait for the swap judges the rest.
 */
async function demoteAndRelease(
  master: string,
  promoted: string,
  options: RedisConnectOptions,
): Promise<void> {
  const host = promoted.slice(0, promoted.lastIndexOf(':'));
  const port = promoted.slice(promoted.lastIndexOf(':') + 1);
  let demoted = false;
  try {
    await ask(master, options, async (c) => {
      await c.call('REPLICAOF', host, port);
      demoted = true;
      await c.call('CLIENT', 'KILL', 'TYPE', 'normal');
      await c.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      await c.call('CLIENT', 'UNPAUSE');
    });
  } catch (error) {
    await unpause(master, options, error);
    if (!demoted) throw error;
  }
}

async function unpause(address: string, options: RedisConnectOptions, cause?: unknown) {
  try {
    await ask(address, options, (c) => c.call('CLIENT', 'UNPAUSE'));
  } catch (error) {
    if (cause === undefined) throw error;
    // The failover's own error is what the caller reports; the pause ends by itself anyway.
    throw new Error(
      `${cause instanceof Error ? cause.message : String(cause)}; CLIENT UNPAUSE on ${address} failed too (${error instanceof Error ? error.message : String(error)}), the pause ends by itself`,
    );
  }
}

/** Until every sentinel that answers names `master` and sees its replicas as replicas. */
async function sentinelsAgree(
  clock: Pick<Clock, 'monotonic' | 'sleep'>,
  sentinel: RedisSentinelTarget,
  options: RedisConnectOptions,
  master: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = clock.monotonic() + timeoutMs;
  for (;;) {
    // One that cannot be reached is not waited for: the failover needs only a quorum, and a
    // sentinel down may stay down for hours.
    const asked = await Promise.all(
      sentinel.sentinels.map((address) =>
        ask(address, { timeoutMs: options.timeoutMs }, async (c): Promise<SentinelView> => {
          const named = masterAddress(
            await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', sentinel.masterName),
          );
          const replicas = parseFieldLists(
            await c.call('SENTINEL', 'REPLICAS', sentinel.masterName),
          );
          return { sentinel: address, named, replicas };
        }).catch(() => undefined),
      ),
    );
    const views = asked.filter((view) => view !== undefined);
    if (views.length === 0) throw new Error('no sentinel answered');
    const unsettled = sentinelsUnsettled(views, master);
    if (unsettled === undefined) return;
    if (clock.monotonic() > deadline)
      throw new Error(`the sentinels do not agree on the roles yet: ${unsettled}`);
    await clock.sleep(SETTLE_POLL_MS);
  }
}

/** The replica that answers as a master first, once Sentinel has promoted it. */
async function promotedReplica(
  clock: Pick<Clock, 'monotonic' | 'sleep'>,
  replicas: readonly string[],
  timeoutMs: number,
  options: RedisConnectOptions,
): Promise<string> {
  const deadline = clock.monotonic() + timeoutMs;
  let unanswered = '';
  for (;;) {
    // All at once: one after another, a node slow to answer (being reconfigured) held each round
    // for its whole command timeout, and the round ran on past the deadline with writes paused.
    const roles = await Promise.all(
      replicas.map(async (replica) => {
        // Sentinel drops the clients of the replica it promotes (CLIENT KILL): a connection
        // closed under this question is the promotion under way, asked again at the next poll.
        try {
          const info = await ask(replica, options, async (c) =>
            String(await c.call('INFO', 'replication')),
          );
          return { replica, role: parseInfo(info).get('role') };
        } catch (error) {
          return { replica, error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const promoted = roles.find((answer) => answer.role === 'master');
    if (promoted !== undefined) return promoted.replica;
    const silent = roles.filter((answer) => answer.error !== undefined);
    unanswered = silent
      .map((answer) => `; ${answer.replica} did not answer (${answer.error})`)
      .join('');
    if (clock.monotonic() > deadline)
      throw new Error(
        `no replica of the paused master was promoted (${replicas.join(', ')})${unanswered}`,
      );
    await clock.sleep(CATCH_UP_POLL_MS);
  }
}

/** Until every replica the paused master lists as online has reached its offset; those replicas. */
async function everyReplicaCaughtUp(
  clock: Pick<Clock, 'monotonic' | 'sleep'>,
  move: { master: string; replica: string; timeoutMs: number },
  options: RedisConnectOptions,
): Promise<string[]> {
  const deadline = clock.monotonic() + move.timeoutMs / 2;
  let behind = '';
  for (;;) {
    const info = parseInfo(
      await ask(move.master, options, async (c) => String(await c.call('INFO', 'replication'))),
    );
    const offset = Number(info.get('master_repl_offset') ?? 0);
    const online = [...info.entries()]
      .filter(([key, value]) => /^slave\d+$/.test(key) && /state=online/.test(value))
      .map(([, value]) => {
        const fields = new Map(value.split(',').map((f) => f.split('=') as [string, string]));
        return `${fields.get('ip')}:${fields.get('port')}`;
      });
    if (!online.includes(move.replica))
      throw new Error(`${move.replica} is not linked to ${move.master}`);
    const offsets = await Promise.all(
      online.map(async (replica) => ({
        replica,
        offset: Number(
          parseInfo(
            await ask(replica, options, async (c) => String(await c.call('INFO', 'replication'))),
          ).get('slave_repl_offset') ?? 0,
        ),
      })),
    );
    const lagging = offsets.filter((r) => r.offset < offset);
    if (lagging.length === 0) return online;
    behind = lagging.map((r) => `${r.replica} at ${r.offset} of ${offset}`).join(', ');
    if (clock.monotonic() > deadline)
      throw new Error(`the replicas had not caught up with the paused master: ${behind}`);
    await clock.sleep(CATCH_UP_POLL_MS);
  }
}

/** `host`, `port` of GET-MASTER-ADDR-BY-NAME as `host:port`. */
function masterAddress(reply: unknown): string {
  if (!Array.isArray(reply) || reply.length < 2) throw new Error('the sentinel names no master');
  return `${String(reply[0])}:${String(reply[1])}`;
}

/**
 * The first sentinel that answers; one that cannot be reached gives way to the next, one that
 * answers with an error is the answer. Sentinels are asked without the nodes' password.
 */
async function askSentinels<T>(
  sentinel: RedisSentinelTarget,
  options: RedisConnectOptions,
  use: (connection: Connection) => Promise<T>,
): Promise<T> {
  const unreachable: string[] = [];
  for (const address of sentinel.sentinels) {
    try {
      return await ask(address, { timeoutMs: options.timeoutMs }, use);
    } catch (error) {
      if (error instanceof Error && error.name === 'ReplyError') throw error;
      unreachable.push(`${address}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`no sentinel answered (${unreachable.join('; ')})`);
}
