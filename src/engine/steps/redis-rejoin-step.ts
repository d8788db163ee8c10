/**
 * `redis.rejoin`: a node back from its maintenance returns to service (and the next node leaves)
 * only once it is a replica that has caught up: it answers, its link to the master is up, no full
 * sync is loading, its offset has reached the master's as read when it first named its master,
 * and every node of the cluster reports cluster_state:ok. Read-only, so resume asks again.
 */
import type { Step } from '../../plan/types.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok, stopped } from '../execution/run-context.js';
import { clusterOkEverywhere, connectOptions, waitUntil } from './redis-member-waits.js';

type RejoinStep = Extract<Step, { action: 'redis.rejoin' }>;

export async function runRedisRejoin(ctx: RunContext, step: RejoinStep): Promise<StepOutcome> {
  const redis = ctx.ports.redis;
  const { address, intervalSeconds, timeoutSeconds } = step.params;
  if (redis === undefined) return failed('error', 'this drainctl has no Redis client');
  const options = connectOptions(step.params);
  let target: { master: string; offset: number } | undefined;
  const end = await waitUntil(
    ctx,
    step,
    `${address} to catch up as a replica`,
    { intervalMs: intervalSeconds * 1000, timeoutMs: timeoutSeconds * 1000 },
    async () => {
      const status = await redis.status(address, options);
      if (status.role !== 'replica') return { done: false, detail: `${address} is a master` };
      const master = status.masterAddress ?? 'its master';
      if (!status.linkUp) return { done: false, detail: `link to ${master} not up` };
      if (status.syncInProgress) return { done: false, detail: `sync from ${master} in progress` };
      if (target?.master !== master && status.masterAddress !== undefined) {
        target = {
          master,
          offset: (await redis.status(status.masterAddress, options)).offset,
        };
      }
      if (target === undefined || status.offset < target.offset)
        return {
          done: false,
          detail: `offset ${status.offset} of ${target?.offset ?? '?'} (${master})`,
        };
      const cluster = await clusterOkEverywhere(redis, address, options);
      return cluster.done
        ? {
            done: true,
            detail: `replica of ${master}, link up, offset ${status.offset} ≥ ${target.offset}, ${cluster.detail}`,
          }
        : cluster;
    },
  );
  if (end.kind === 'stopped') return stopped(`stop requested while ${address} caught up`);
  if (end.kind === 'timeout')
    return failed(
      'gate-blocked',
      `Redis ${address} had not caught up within ${timeoutSeconds}s (${end.detail}); it stays at weight 0 and the rollout halts`,
    );
  return ok(`Redis ${address} caught up in ${end.seconds}s: ${end.detail}`);
}
