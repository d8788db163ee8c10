/**
 * The canary's bake: after the first batch is back in service, the run holds for the workflow's
 * `rollout.canary.bakeMinutes` while the whole balancer is watched — every server's access log
 * for the share of 5xx answers (and, with `maxLatencyMs`, the 95th percentile of its request
 * time), added up and the canary's alone, and the balancer's own health view of every serving backend —
 * before any other batch begins. A bake outside its limits rolls the canary back and halts.
 */
import { formatDuration, formatRate } from './describe.js';
import type { FleetNode } from './fleet.js';
import { nodeLabel } from './host-target.js';
import type { PlanContext } from './plan-context.js';
import { restoreProbe } from './probe-config.js';
import { READ_ONLY, type StepDraft } from './step-draft.js';

/** How often the balancer's health view is read during a bake. */
export const BAKE_HEALTH_POLL_SECONDS = 5;

export function bakeStep(
  ctx: PlanContext,
  nodes: readonly FleetNode[],
  canary: readonly string[],
): StepDraft | undefined {
  const spec = ctx.spec.rollout.canary;
  if (spec === undefined) return undefined;
  const seconds = Math.round(spec.bakeMinutes * 60);
  const watch = nodes.flatMap((node) => {
    const probe = restoreProbe(ctx, node);
    return probe.kind === 'none' ? [] : [{ serverId: node.id, probe }];
  });
  const labels = nodes.filter((n) => canary.includes(n.id)).map(nodeLabel);
  const logs =
    watch.length === 0
      ? 'no access log to read (drain probe none): the 5xx rate is not watched'
      : `the access logs of ${watch.length} server(s), added up and the canary's alone, for a 5xx rate above ${formatRate(spec.max5xxRate)}${
          spec.maxLatencyMs === undefined
            ? ''
            : ` or a 95th-percentile request time above ${spec.maxLatencyMs} ms`
        } (judged from ${spec.minRequests} requests)${
          spec.maxLatencyMs === undefined ? '; latency is not judged (no maxLatencyMs)' : ''
        }`;
  return {
    action: 'canary.bake',
    params: {
      loadBalancerId: ctx.balancer.id,
      canary: [...canary],
      seconds,
      max5xxRate: spec.max5xxRate,
      minRequests: spec.minRequests,
      ...(spec.maxLatencyMs === undefined ? {} : { maxLatencyMs: spec.maxLatencyMs }),
      watch,
      healthPollSeconds: BAKE_HEALTH_POLL_SECONDS,
    },
    phase: 'rollout',
    batch: 1,
    description: `Bake the canary ${labels.join(', ')} for ${formatDuration(seconds)} before the next batch: watch ${logs}, and ${ctx.balancer.label}'s health view of every serving backend (every ${BAKE_HEALTH_POLL_SECONDS} s; one reported abnormal twice in a row fails it); outside these limits the canary's patch is rolled back (its undo) and the rollout halts`,
    mutates: false,
    inverse: READ_ONLY,
    expectedSeconds: seconds,
  };
}
