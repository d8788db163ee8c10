/**
 * Waiting until a node is healthy again: every check must pass N times in a row within the
 * timeout. A check that cannot be evaluated (it throws) counts as failed: health fails closed.
 */
import type { Step } from '../../plan/types.js';
import type { HealthCheckResult, HealthCheckSpec } from '../../ports/index.js';
import { resolveDeep } from '../refs.js';
import type { RunContext, StepOutcome } from '../run-context.js';
import { failed, ok } from '../run-context.js';

type WaitHealthyStep = Extract<Step, { action: 'node.wait-healthy' }>;

export async function runWaitHealthy(ctx: RunContext, step: WaitHealthyStep): Promise<StepOutcome> {
  const node = step.node ?? '';
  const { consecutiveSuccesses, intervalSeconds, timeoutSeconds } = step.params;
  const checks = resolveDeep(step.params.checks, ctx.state);
  const { clock } = ctx.ports;
  await ctx.moveNode(node, 'verifying');
  const started = clock.monotonic();
  const deadline = started + timeoutSeconds * 1000;
  let streak = 0;
  let rounds = 0;
  let last: HealthCheckResult[] = [];
  for (;;) {
    rounds += 1;
    last = await Promise.all(checks.map((spec) => checkOnce(ctx, spec)));
    streak = last.every((r) => r.ok) ? streak + 1 : 0;
    if (streak >= consecutiveSuccesses) {
      const seconds = Math.round((clock.monotonic() - started) / 1000);
      const detail = `${checks.length} check(s) passed ${streak} time(s) in a row after ${seconds}s`;
      await ctx.record({
        type: 'probe',
        step: step.id,
        node,
        kind: 'health',
        outcome: 'passed',
        detail,
        data: { rounds },
      });
      return ok(detail);
    }
    if (clock.monotonic() + intervalSeconds * 1000 > deadline) break;
    await clock.sleep(intervalSeconds * 1000);
  }
  const failing = last
    .map((r, i) => ({ r, spec: checks[i] }))
    .filter(({ r }) => !r.ok)
    .map(({ r, spec }) => `${describeSpec(spec)}: ${r.detail}`);
  const detail = `not healthy within ${timeoutSeconds}s (${consecutiveSuccesses} consecutive successes needed): ${failing.join('; ') || 'passes were not consecutive'}`;
  await ctx.record({
    type: 'probe',
    step: step.id,
    node,
    kind: 'health',
    outcome: 'failed',
    detail,
    data: { rounds },
  });
  return failed('unhealthy', detail);
}

async function checkOnce(ctx: RunContext, spec: HealthCheckSpec): Promise<HealthCheckResult> {
  try {
    return await ctx.ports.health.check(spec);
  } catch (error) {
    return {
      ok: false,
      detail: `cannot evaluate: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

export function describeSpec(spec: HealthCheckSpec | undefined): string {
  if (spec === undefined) return 'check';
  switch (spec.kind) {
    case 'http':
      return `http ${spec.host}:${spec.port}${spec.path}`;
    case 'tcp':
      return `tcp ${spec.host}:${spec.port}`;
    case 'load-balancer':
      return `balancer health of ${spec.serverId}`;
  }
}
