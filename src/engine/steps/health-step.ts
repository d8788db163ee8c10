/**
 * Waiting until a node is healthy again: every check must pass N times in a row within the
 * timeout. A check that cannot be evaluated (it throws) counts as failed: health fails closed.
 */

import { nodeHost } from '../../plan/host-target.js';
import type { Step } from '../../plan/types.js';
import type { HealthCheckResult, HealthCheckSpec } from '../../ports/index.js';
import { resolveDeep, resolveRef } from '../execution/refs.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok } from '../execution/run-context.js';
import { describeResult } from '../policy/command-result.js';
import { commandRan, notHealthyOutcome } from '../policy/reachability.js';
import { readOnlyCommand } from './host-steps.js';

type WaitHealthyStep = Extract<Step, { action: 'node.wait-healthy' }>;

export async function runWaitHealthy(ctx: RunContext, step: WaitHealthyStep): Promise<StepOutcome> {
  const node = step.node ?? '';
  const { consecutiveSuccesses, intervalSeconds, timeoutSeconds } = step.params;
  // Checks of a balancer this run created name it by Ref (`balancerChecks`); resolved here.
  const checks: HealthCheckSpec[] = [
    ...resolveDeep(step.params.checks, ctx.state),
    ...(step.params.balancerChecks ?? []).map(
      (c): HealthCheckSpec => ({
        kind: 'load-balancer',
        loadBalancerId: String(resolveRef(c.loadBalancerId, ctx.state)),
        serverId: c.serverId,
        ...(c.listenerPort === undefined ? {} : { listenerPort: c.listenerPort }),
      }),
    ),
  ];
  const { clock } = ctx.ports;
  await ctx.moveNode(node, 'verifying');
  const started = clock.monotonic();
  const deadline = started + timeoutSeconds * 1000;
  let streak = 0;
  let rounds = 0;
  let answered = false;
  let last: HealthCheckResult[] = [];
  for (;;) {
    rounds += 1;
    last = await Promise.all(checks.map((spec) => checkOnce(ctx, spec)));
    answered ||= last.some((r) => r.answered === true);
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
  const said = failing.join('; ') || 'passes were not consecutive';
  // Nothing of ours got an answer: ask its agent whether the machine is up at all.
  const agent = answered ? undefined : await askAgent(ctx, step);
  const outcome = notHealthyOutcome({ checkAnswered: answered, agentAnswered: agent?.answered });
  const detail =
    outcome === 'no-boot'
      ? `${node} cannot be reached: no health check got an answer from it within ${timeoutSeconds}s (${said}) and it runs no command (${agent?.said}): it did not come back`
      : `not healthy within ${timeoutSeconds}s (${consecutiveSuccesses} consecutive successes needed): ${said}`;
  await ctx.record({
    type: 'probe',
    step: step.id,
    node,
    kind: 'health',
    outcome: 'failed',
    detail,
    data: {
      rounds,
      answered,
      ...(agent === undefined ? {} : { agent: agent.said }),
    },
  });
  return failed(outcome, detail);
}

/** A command that changes nothing, run only to learn whether the machine's agent answers. */
export const AGENT_PROBE_COMMAND = 'true';
const AGENT_PROBE_TIMEOUT_SECONDS = 30;

/** Whether the node's agent runs a command; undefined when it cannot be asked. */
async function askAgent(
  ctx: RunContext,
  step: WaitHealthyStep,
): Promise<{ answered: boolean | undefined; said: string } | undefined> {
  const host = nodeHost(ctx.state.plan, step.node ?? '');
  if (host === undefined) return undefined;
  try {
    const result = await readOnlyCommand(
      ctx,
      step,
      host,
      AGENT_PROBE_COMMAND,
      AGENT_PROBE_TIMEOUT_SECONDS,
    );
    return {
      answered: commandRan(result),
      said: `\`${AGENT_PROBE_COMMAND}\`: ${describeResult(result)}`,
    };
  } catch (error) {
    // The API refused or could not be reached: that says nothing about the machine.
    return {
      answered: undefined,
      said: `its agent could not be asked: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
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
