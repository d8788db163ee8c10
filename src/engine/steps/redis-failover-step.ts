/**
 * `redis.failover`: a master leaves service only once an in-sync replica of it has taken over.
 * Whether the node is a master is decided now, not at plan time: roles change during a night.
 * The adapter hands the role over without losing an acknowledged write (Cluster: CLUSTER
 * FAILOVER in its default mode; Sentinel: writes paused, replicas caught up, SENTINEL FAILOVER).
 * The chosen replica is journaled (an intent) before anything is sent; the result once the old
 * master is a replica of a master and both agree with the cluster (or the sentinels).
 */
import type { Step } from '../../plan/types.js';
import type { RedisConnectOptions, RedisMemberClient, RedisNodeStatus } from '../../ports/index.js';
import { message } from '../engine-errors.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok, stopped } from '../execution/run-context.js';
import { isStop } from '../execution/run-control.js';
import type { IntentEntry } from '../journal/entries.js';
import { connectOptions, waitUntil } from './redis-member-waits.js';

type FailoverStep = Extract<Step, { action: 'redis.failover' }>;

const POLL_MS = 250;
/** How long a node that does not answer is asked again before the step gives up on it. */
const ANSWER_WITHIN_MS = 5_000;
const STAYS = 'it stays in service and the rollout halts';

export async function runRedisFailover(ctx: RunContext, step: FailoverStep): Promise<StepOutcome> {
  const redis = ctx.ports.redis;
  const { address, maxLagBytes, timeoutSeconds } = step.params;
  if (redis === undefined) return failed('error', 'this drainctl has no Redis client');
  const options = connectOptions(step.params);
  const timeoutMs = timeoutSeconds * 1000;

  // Resumed after a crash with an attempt journaled: that CLUSTER FAILOVER may still be under
  // way (the replica catching up, the election running). A second one sent meanwhile could start
  // a second election, so the step only observes until the first attempt's time is up: the node
  // seen as a replica is done; otherwise that attempt has certainly ended (Redis gives a manual
  // failover a few seconds, far below any timeout here) and a fresh one is safe. Under Sentinel
  // the attempt may have ended half done: the sentinels name another master while this one,
  // never demoted, holds its writes paused until the pause runs out. The step finishes that
  // demotion at once rather than leave writes waiting; and when no sentinel has a failover of
  // it under way (the process died before SENTINEL FAILOVER took), it lifts the pause.
  const previous = lastAttempt(ctx, step);
  if (previous !== undefined) {
    const over = Date.parse(previous.ts) + timeoutMs;
    const leftMs = over - ctx.ports.clock.now();
    let released = false;
    if (leftMs > 0) {
      const end = await waitUntil(
        ctx,
        step,
        `the failover of ${address} sent before the restart (to ${String(previous.to.replica)})`,
        { intervalMs: POLL_MS, timeoutMs: leftMs },
        async () => {
          let status = await redis.status(address, options);
          const named = status.namedMaster;
          if (status.role === 'master' && named !== undefined && named !== address) {
            await redis.finishDemotion(address, named, options);
            ctx.logger.info(
              { step: step.id, address, master: named },
              `Redis ${address}: the failover sent before the restart had promoted ${named}; demoted ${address} and released its writes`,
            );
            status = await redis.status(address, options);
          } else if (
            status.role === 'master' &&
            !released &&
            (await redis.releaseStrandedPause(address, options))
          ) {
            released = true;
            ctx.logger.info(
              { step: step.id, address },
              `Redis ${address}: no failover of it under way after the restart; its writes are released (a fresh failover follows once the earlier attempt's time is up)`,
            );
          }
          return { done: status.role === 'replica', detail: describeRole(address, status) };
        },
      );
      if (end.kind === 'stopped')
        return stopped(`stop requested during the failover of ${address}`);
      // The watch gives up up to one poll early; the earlier attempt's time must be wholly up.
      const rest = over - ctx.ports.clock.now();
      if (end.kind === 'timeout' && rest > 0) {
        try {
          await ctx.ports.clock.sleep(rest, ctx.control.signal);
        } catch (error) {
          if (isStop(error)) return stopped(`stop requested during the failover of ${address}`);
          throw error;
        }
      }
    }
  }

  // Asked until it answers, for a few seconds: as a failover ends (one resumed above, or the
  // sentinels demoting the old master once its write pause ran out) the node drops every client,
  // and a connection closed under the question says nothing about the node. A resumed Sentinel
  // run halted on exactly that.
  const seen: { status?: RedisNodeStatus } = {};
  const answered = await waitUntil(
    ctx,
    step,
    `Redis ${address} to answer`,
    { intervalMs: POLL_MS, timeoutMs: ANSWER_WITHIN_MS },
    async () => {
      seen.status = await redis.status(address, options);
      return { done: true, detail: describeRole(address, seen.status) };
    },
  );
  if (answered.kind === 'stopped')
    return stopped(`stop requested before the failover of ${address}`);
  if (seen.status === undefined) {
    return failed(
      'gate-blocked',
      `Redis ${address} did not answer within ${ANSWER_WITHIN_MS / 1000}s (${answered.detail}); ${STAYS}`,
    );
  }
  let master: RedisNodeStatus = seen.status;

  if (master.role === 'replica') {
    return ok(
      `Redis ${address} is a replica${master.masterAddress === undefined ? '' : ` of ${master.masterAddress}`}: nothing to fail over`,
      {
        role: 'replica',
      },
    );
  }

  // A replica restarted a moment ago may still be flagged down, by the cluster or the sentinels,
  // for a few seconds after it has caught up: asked again until the timeout, not refused at once.
  let choice: { replica?: string; detail: string } = { detail: 'not asked yet' };
  let becameReplica = false;
  const found = await waitUntil(
    ctx,
    step,
    `a replica of ${address} in sync`,
    { intervalMs: POLL_MS, timeoutMs },
    async () => {
      const now = await redis.status(address, options);
      becameReplica = now.role === 'replica';
      if (!becameReplica) master = now;
      choice = becameReplica
        ? { detail: `${address} is a replica now` }
        : await inSyncReplica(redis, address, master, maxLagBytes, options);
      return {
        done: choice.replica !== undefined || becameReplica,
        detail: choice.detail,
      };
    },
  );
  if (found.kind === 'stopped') return stopped(`stop requested before the failover of ${address}`);
  if (becameReplica) {
    return ok(
      `Redis ${address} became a replica while its replicas were asked: nothing to fail over`,
      {
        role: 'replica',
      },
    );
  }
  if (choice.replica === undefined) {
    return failed(
      'gate-blocked',
      `no replica of Redis master ${address} is in sync (${found.detail}); ${STAYS}`,
    );
  }
  const replica = choice.replica;
  const opId = `${step.id}#${attemptsOf(ctx, step).length + 1}`;
  const node = step.node === undefined ? {} : { node: step.node };
  await ctx.record({
    type: 'intent',
    step: step.id,
    opId,
    op: 'redis-failover',
    ...node,
    target: { address },
    before: { role: 'master', offset: master.offset },
    to: { replica, role: 'replica' },
  });
  const settle = (applied: boolean, after: Record<string, unknown>) =>
    ctx.record({
      type: 'result',
      step: step.id,
      opId,
      op: 'redis-failover',
      ...node,
      applied,
      after,
    });
  try {
    await redis.failover({ master: address, replica, timeoutMs }, options);
  } catch (error) {
    await settle(false, { error: message(error) });
    return failed(
      'gate-blocked',
      `the failover of ${address} to ${replica} was refused (${message(error)}); ${STAYS}`,
    );
  }
  let newMaster: string | undefined;
  const waited = await waitUntil(
    ctx,
    step,
    `${replica} to take over from ${address}`,
    { intervalMs: POLL_MS, timeoutMs },
    async () => {
      const answer = await swapped(redis, address, replica, options);
      newMaster = answer.master;
      return answer;
    },
  );
  const end = { ...waited, master: newMaster };
  if (end.kind === 'stopped') {
    // Left open on purpose: resume observes what the failover did.
    return stopped(`stop requested during the failover of ${address}`);
  }
  if (end.kind === 'timeout') {
    await settle(false, { detail: end.detail });
    // Writes paused for the failover (Sentinel) flow again if it is still the master.
    try {
      const still = await redis.status(address, options);
      if (still.role === 'master') await redis.releaseWrites(address, options);
    } catch (error) {
      return failed(
        'gate-blocked',
        `the roles of ${address} and ${replica} had not swapped within ${timeoutSeconds}s (${end.detail}), and its writes could not be released (${message(error)}); ${STAYS}`,
      );
    }
    return failed(
      'gate-blocked',
      `the roles of ${address} and ${replica} had not swapped within ${timeoutSeconds}s (${end.detail}); ${STAYS}`,
    );
  }
  // A demoted master under Sentinel no longer takes writes; its pause is lifted so that clients
  // still connected to it hear so (READONLY) rather than wait.
  await redis.releaseWrites(address, options);
  const taken = end.master ?? replica;
  await settle(true, { master: taken, detail: end.detail });
  return ok(`failed over Redis ${address} to ${taken} in ${end.seconds}s: ${end.detail}`, {
    role: 'master',
    replica: taken,
  });
}

/** The failover attempts journaled for this step, the latest last. */
function attemptsOf(ctx: RunContext, step: FailoverStep): IntentEntry[] {
  return ctx.journal.mutations.filter(
    (e): e is IntentEntry => e.type === 'intent' && e.step === step.id && e.op === 'redis-failover',
  );
}

function lastAttempt(ctx: RunContext, step: FailoverStep): IntentEntry | undefined {
  return attemptsOf(ctx, step).at(-1);
}

/**
 * The replica to fail over to: one `CLUSTER NODES` lists as a replica of this master (by its
 * announced address: the one clients and the cluster use), not failing, that says itself it is a
 * replica with its link up and no sync in progress, at most `maxLagBytes` behind the master's
 * offset; of those the furthest along.
 */
async function inSyncReplica(
  redis: RedisMemberClient,
  address: string,
  master: RedisNodeStatus,
  maxLagBytes: number,
  options: RedisConnectOptions,
): Promise<{ replica?: string; detail: string }> {
  const listed = (await redis.clusterNodes(address, options)).filter(
    (node) => node.role === 'replica' && node.masterId === master.id,
  );
  if (listed.length === 0) return { detail: 'CLUSTER NODES lists no replica of it' };
  const judged = await Promise.all(
    listed.map(async (node) => {
      if (node.failing) return { address: node.address, problem: 'failing' };
      try {
        const status = await redis.status(node.address, options);
        const lag = master.offset - status.offset;
        const problem =
          status.role !== 'replica'
            ? 'not a replica'
            : !status.linkUp
              ? 'master_link_status not up'
              : status.syncInProgress
                ? 'sync in progress'
                : lag > maxLagBytes
                  ? `${lag} bytes behind`
                  : undefined;
        return { address: node.address, offset: status.offset, problem };
      } catch (error) {
        return { address: node.address, problem: `does not answer (${message(error)})` };
      }
    }),
  );
  const good = judged
    .filter((r) => r.problem === undefined)
    .sort((a, b) => (b.offset ?? 0) - (a.offset ?? 0));
  const best = good[0];
  if (best !== undefined) return { replica: best.address, detail: `${good.length} in sync` };
  return { detail: judged.map((r) => `${r.address} ${r.problem}`).join('; ') };
}

/**
 * The old master is a replica of a master (the chosen replica; under Sentinel the one the
 * sentinels promoted, which need not be it), and both report cluster_state:ok (under Sentinel:
 * the sentinels name that master).
 */
async function swapped(
  redis: RedisMemberClient,
  address: string,
  replica: string,
  options: RedisConnectOptions,
): Promise<{ done: boolean; detail: string; master?: string }> {
  const old = await redis.status(address, options);
  const newMaster =
    old.role === 'replica' && options.sentinel !== undefined && old.masterAddress !== undefined
      ? old.masterAddress
      : replica;
  const taken = await redis.status(newMaster, options);
  if (old.role !== 'replica' || taken.role !== 'master')
    return {
      done: false,
      detail: `${describeRole(address, old)}, ${describeRole(newMaster, taken)}`,
    };
  if (old.clusterState !== 'ok' || taken.clusterState !== 'ok')
    return {
      done: false,
      detail: `roles swapped; cluster_state ${old.clusterState} on ${address}, ${taken.clusterState} on ${newMaster}`,
    };
  return {
    done: true,
    master: newMaster,
    detail: `${newMaster} is master, ${address} its replica, ${options.sentinel === undefined ? 'cluster_state ok' : 'as the sentinels name them'}`,
  };
}

function describeRole(address: string, status: RedisNodeStatus): string {
  return status.role === 'master'
    ? `${address} is a master`
    : `${address} is a replica of ${status.masterAddress ?? 'an unknown master'}`;
}
