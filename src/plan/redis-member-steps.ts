/**
 * `member.redis` as plan steps around a server's maintenance: a backup and the failover of a
 * master before it leaves, the wait for it to catch up as a replica once it is back. What the
 * runbook prints is what src/engine/steps/redis-*-step.ts do.
 */
import type { RedisMemberSpec } from '../workflow/index.js';
import { expandTemplate } from '../workflow/index.js';
import { formatDuration } from './describe.js';
import {
  REDIS_BACKUP_SECONDS,
  REDIS_CATCH_UP_SECONDS,
  REDIS_FAILOVER_SECONDS,
} from './estimates.js';
import type { FleetNode } from './fleet.js';
import { describeHost, hostTarget, nodeLabel } from './host-target.js';
import type { PlanContext } from './plan-context.js';
import { irreversible, READ_ONLY, type StepDraft } from './step-draft.js';
import type { RedisMemberTarget } from './types.js';

type StepPlace = { phase: 'rollout'; batch: number; node: string };

const BACKUP_REASON =
  'a backup changes nothing the node serves; the copy stays in its directory until you remove it';
const FAILOVER_REASON =
  'the roles are not swapped back: the node returns as a replica of the same data (CLUSTER FAILOVER on it makes it master again)';
const SENTINEL_FAILOVER_REASON =
  'the roles are not swapped back: the node returns as a replica of the same data (SENTINEL FAILOVER moves the master again)';
/** How often a catching-up replica is asked again. */
const REJOIN_INTERVAL_SECONDS = 1;

/** Before the node leaves service: its backup (when asked), then its failover if it is a master. */
export function redisMemberBeforeSteps(
  ctx: PlanContext,
  node: FleetNode,
  at: StepPlace,
): StepDraft[] {
  const member = ctx.spec.member?.redis;
  const target = member === undefined ? undefined : redisTarget(ctx, node, member);
  if (member === undefined || target === undefined) return [];
  const label = nodeLabel(node);
  const steps: StepDraft[] = [];
  if (member.backup !== undefined) {
    const host = hostTarget(ctx, node);
    steps.push({
      action: 'redis.backup',
      params: {
        ...target,
        host,
        dir: member.backup.dir,
        timeoutSeconds: member.backup.timeoutSeconds,
      },
      ...at,
      description: `Back up Redis ${target.address} on ${label}: BGSAVE, wait until LASTSAVE changes, then copy its RDB file into ${member.backup.dir} via ${describeHost(host)} with a timestamped name, its sha256 journaled (within ${formatDuration(member.backup.timeoutSeconds)}, else it does not leave service and the rollout halts)`,
      mutates: true,
      inverse: irreversible(BACKUP_REASON),
      expectedSeconds: Math.min(member.backup.timeoutSeconds, REDIS_BACKUP_SECONDS),
    });
  }
  steps.push({
    action: 'redis.failover',
    params: {
      ...target,
      maxLagBytes: member.maxLagBytes,
      timeoutSeconds: member.failoverTimeoutSeconds,
    },
    ...at,
    description:
      target.sentinel === undefined
        ? `If Redis ${target.address} (${label}) is a master when its turn comes: CLUSTER FAILOVER on a replica of it in sync (link up, at most ${member.maxLagBytes} bytes behind), which takes over once it has every write, then wait until both see the roles swapped and cluster_state is ok (within ${formatDuration(member.failoverTimeoutSeconds)}, else it stays in service and the rollout halts); a replica goes on as it is`
        : `If Redis ${target.address} (${label}) is a master when its turn comes and a replica of it is in sync (link up, at most ${member.maxLagBytes} bytes behind): once every sentinel names it and sees its replicas as replicas, CLIENT PAUSE WRITE on it, wait until every replica linked to it has its offset, SENTINEL FAILOVER ${target.sentinel.masterName}, then wait until it is a replica of the master the sentinels name (within ${formatDuration(member.failoverTimeoutSeconds)}, else its writes resume, it stays in service and the rollout halts); a replica goes on as it is`,
    mutates: true,
    inverse: irreversible(
      target.sentinel === undefined ? FAILOVER_REASON : SENTINEL_FAILOVER_REASON,
    ),
    expectedSeconds: Math.min(member.failoverTimeoutSeconds, REDIS_FAILOVER_SECONDS),
  });
  return steps;
}

/** Once the node is back, healthy and verified: the wait until it has caught up as a replica. */
export function redisMemberAfterSteps(
  ctx: PlanContext,
  node: FleetNode,
  at: StepPlace,
): StepDraft[] {
  const member = ctx.spec.member?.redis;
  const target = member === undefined ? undefined : redisTarget(ctx, node, member);
  if (member === undefined || target === undefined) return [];
  return [
    {
      action: 'redis.rejoin',
      params: {
        ...target,
        intervalSeconds: REJOIN_INTERVAL_SECONDS,
        timeoutSeconds: member.catchUpTimeoutSeconds,
      },
      ...at,
      description: `Wait until Redis ${target.address} (${nodeLabel(node)}) answers as a replica with master_link_status:up, no sync in progress and its offset at its master's as read when the wait began, and ${target.sentinel === undefined ? 'every node of the cluster reports cluster_state:ok' : `the sentinels of ${target.sentinel.masterName} name its master, as every node they list agrees`} (within ${formatDuration(member.catchUpTimeoutSeconds)}, else it stays at weight 0 and the rollout halts)`,
      mutates: false,
      inverse: READ_ONLY,
      expectedSeconds: Math.min(member.catchUpTimeoutSeconds, REDIS_CATCH_UP_SECONDS),
    },
  ];
}

/** The node's Redis address and credentials, once for all its steps; undefined with a problem added. */
function redisTarget(
  ctx: PlanContext,
  node: FleetNode,
  member: RedisMemberSpec,
): RedisMemberTarget | undefined {
  const { privateIp } = node.instance;
  if (privateIp === undefined && member.address.includes('{privateIp}')) {
    ctx.problems.add(
      ['member', 'redis', 'address'],
      `a private IP of ${node.id} to fill {privateIp}`,
      'the instance has none',
    );
    return undefined;
  }
  const address = expandTemplate(member.address, {
    instanceId: node.id,
    name: node.name,
    ...(privateIp === undefined ? {} : { privateIp }),
  });
  const inventory = ctx.spec.inventory?.redis;
  const password = member.password ?? inventory?.password;
  return {
    address,
    ...(password === undefined ? {} : { password }),
    commandTimeoutSeconds: inventory?.timeoutSeconds ?? 5,
    ...(inventory?.mode === 'sentinel'
      ? { sentinel: { sentinels: inventory.sentinels, masterName: inventory.masterName } }
      : {}),
  };
}
