/**
 * One server's rollout, in the order the runbook reads: before-hooks (still serving), the gate
 * (fails closed), the verify baseline, drain to weight 0, wait until real traffic has left,
 * patch, reboot, wait until healthy, verify the patch took, restore its weight in ramp steps,
 * after-hooks. Each mutating step names its inverse or why it has none.
 */
import type { HookSpec } from '../spec/index.js';
import { expandTemplate } from '../spec/index.js';
import { restoreReason } from './at-zero.js';
import type { Budget } from './budget.js';
import { formatDuration, formatRate, rampWeights } from './describe.js';
import {
  BACKEND_CALL_SECONDS,
  DRAIN_MARGIN_SECONDS,
  GATE_SECONDS,
  HOOK_SECONDS,
  PATCH_COMMAND_SECONDS,
  REBOOT_SECONDS,
  SHORT_COMMAND_SECONDS,
} from './estimates.js';
import type { FleetNode } from './fleet.js';
import { nodeHealthChecks } from './health-checks.js';
import { hostTarget, nodeLabel } from './host-target.js';
import type { PlanContext } from './plan-context.js';
import { drainProbe, restoreProbe } from './probe-config.js';
import { savedWeightKey } from './saved-weight.js';
import { inverse, irreversible, READ_ONLY, type StepDraft } from './step-draft.js';
import type { VerifyExpectation } from './types.js';

const HOOK_REASON = "a hook is the workflow's own command; drainctl cannot know how to undo it";
const PATCH_REASON =
  'drainctl does not roll back packages; the previous kernel stays installed and can be chosen at boot';
const REBOOT_REASON = 'a reboot cannot be undone';

export function nodeSteps(
  ctx: PlanContext,
  node: FleetNode,
  batch: number,
  budget: Budget,
): StepDraft[] {
  const { spec, balancer } = ctx;
  const label = nodeLabel(node);
  const host = hostTarget(ctx, node);
  const at = { phase: 'rollout' as const, batch, node: node.id };
  const steps: StepDraft[] = [];

  steps.push(...hookSteps(ctx, node, 'before', spec.hooks.before, batch));
  const verify = spec.patch.verify;
  const compliant = verify === false ? undefined : complianceExpectation(verify);
  if (verify !== false) {
    steps.push({
      action: 'node.capture-baseline',
      params: {
        host,
        command: verify.command,
        timeoutSeconds: verify.timeoutSeconds,
        ...(compliant === undefined ? {} : { skipIfCompliant: compliant.expect }),
      },
      ...at,
      description: `Record \`${verify.command}\` on ${label} as the baseline${compliant === undefined ? '' : `; if it already ${compliant.phrase}, skip ${label} (no gate, hooks, drain, patch or reboot)`}`,
      mutates: false,
      inverse: READ_ONLY,
      expectedSeconds: SHORT_COMMAND_SECONDS,
    });
  }
  // A server found at weight 0 comes back to a weight a run saved or the operator gave.
  const back = node.atZero?.action === 'restore' ? node.atZero : undefined;
  steps.push({
    action: 'node.drain',
    params: {
      loadBalancerId: balancer.id,
      serverId: node.id,
      expectedWeight: node.weightAtRollout,
    },
    ...at,
    description:
      back !== undefined
        ? `Keep ${back.weight} as ${label}'s weight to come back to, as the tag ${savedWeightKey(node.id)} on ${balancer.label} (it is at weight 0 already)`
        : `Set ${label} weight ${node.weightAtRollout} → 0 on ${balancer.label} (the live weight is recorded first)`,
    mutates: true,
    inverse:
      back !== undefined
        ? inverse(
            'node.restore',
            `leave ${label} at weight 0, as found (it goes back to ${back.weight} only after the proof below)`,
          )
        : inverse(
            'node.restore',
            `restore ${label} to its recorded weight (${node.weightAtRollout})`,
          ),
    expectedSeconds: BACKEND_CALL_SECONDS,
  });
  const { drain } = spec;
  const probe = drainProbe(ctx, node);
  steps.push({
    action: 'node.wait-drained',
    params: {
      probe,
      quietSeconds: drain.quietSeconds,
      timeoutSeconds: drain.timeoutSeconds,
      onTimeout: drain.onTimeout,
    },
    ...at,
    description:
      probe.kind === 'none'
        ? `Wait ${formatDuration(probe.waitSeconds)} for ${label}'s clients to leave (no probe: no evidence)`
        : `Wait until ${label} has had no real request for ${drain.quietSeconds} s (${describeProbe(probe)}); after ${formatDuration(drain.timeoutSeconds)}: ${drain.onTimeout === 'halt' ? 'restore it and halt' : 'proceed anyway'}`,
    mutates: false,
    inverse: READ_ONLY,
    expectedSeconds:
      probe.kind === 'none'
        ? probe.waitSeconds
        : Math.min(drain.timeoutSeconds, drain.quietSeconds + DRAIN_MARGIN_SECONDS),
  });

  const { patch } = spec;
  if (patch.commands.length > 0) {
    steps.push({
      action: 'node.patch',
      params: { host, commands: patch.commands, timeoutSeconds: patch.timeoutSeconds },
      ...at,
      description: `Run on ${label} via ${describeHost(host)}: ${patch.commands.map((command) => `\`${command}\``).join(', then ')} (within ${formatDuration(patch.timeoutSeconds)})`,
      mutates: true,
      inverse: irreversible(PATCH_REASON),
      expectedSeconds: Math.min(
        patch.timeoutSeconds,
        PATCH_COMMAND_SECONDS * patch.commands.length,
      ),
    });
  }
  if (patch.reboot) {
    steps.push({
      action: 'node.reboot',
      params: { host, timeoutSeconds: patch.rebootTimeoutSeconds },
      ...at,
      description: `Reboot ${label} via ${describeHost(host)} and wait until it runs again (within ${formatDuration(patch.rebootTimeoutSeconds)}, else it stays at weight 0 and the rollout halts)`,
      mutates: true,
      inverse: irreversible(REBOOT_REASON),
      expectedSeconds: Math.min(patch.rebootTimeoutSeconds, REBOOT_SECONDS),
    });
  }
  const { health } = spec;
  const checks = nodeHealthChecks(ctx, node);
  steps.push({
    action: 'node.wait-healthy',
    params: {
      checks: checks.checks,
      consecutiveSuccesses: health.consecutiveSuccesses,
      intervalSeconds: health.intervalSeconds,
      timeoutSeconds: health.timeoutSeconds,
      ...(checks.balancerChecks.length === 0 ? {} : { balancerChecks: checks.balancerChecks }),
    },
    ...at,
    description: `Wait until ${label} passes ${describeChecks(checks)} ${health.consecutiveSuccesses} times in a row, every ${health.intervalSeconds} s (within ${formatDuration(health.timeoutSeconds)}, else it stays at weight 0 and the rollout halts)`,
    mutates: false,
    inverse: READ_ONLY,
    expectedSeconds: health.consecutiveSuccesses * health.intervalSeconds,
  });
  if (verify !== false) {
    const expectation =
      verify.expect === 'changed'
        ? 'differs from the baseline'
        : 'equals' in verify.expect
          ? `equals "${verify.expect.equals}"`
          : `matches /${verify.expect.matches}/`;
    steps.push({
      action: 'node.verify',
      params: {
        host,
        command: verify.command,
        expect:
          verify.expect === 'changed'
            ? { kind: 'changed' }
            : 'equals' in verify.expect
              ? { kind: 'equals', value: verify.expect.equals }
              : { kind: 'matches', pattern: verify.expect.matches },
        timeoutSeconds: verify.timeoutSeconds,
      },
      ...at,
      description: `Check \`${verify.command}\` on ${label} ${expectation} (else it stays at weight 0 and the rollout halts)`,
      mutates: false,
      inverse: READ_ONLY,
      expectedSeconds: SHORT_COMMAND_SECONDS,
    });
  }
  const { restore } = spec;
  steps.push({
    action: 'node.restore',
    params: {
      loadBalancerId: balancer.id,
      serverId: node.id,
      ...(back === undefined ? {} : { targetWeight: back.weight }),
      rampPercent: restore.rampPercent,
      holdSeconds: restore.holdSeconds,
      max5xxRate: restore.max5xxRate,
      minRequests: restore.minRequests,
      probe: restoreProbe(ctx, node),
    },
    ...at,
    description: `Restore ${label} to ${back === undefined ? 'its recorded weight' : `weight ${back.weight} (${restoreReason(node.id, back)})`} on ${balancer.label}: ${rampWeights(0, back?.weight ?? node.weightAtRollout, restore.rampPercent)}, holding ${restore.holdSeconds} s per step; a 5xx rate above ${formatRate(restore.max5xxRate)} puts it back to 0 and halts`,
    mutates: true,
    inverse: inverse('node.drain', `set ${label} back to weight 0`),
    expectedSeconds: restore.rampPercent.length * (restore.holdSeconds + BACKEND_CALL_SECONDS),
  });
  steps.push(...hookSteps(ctx, node, 'after', spec.hooks.after, batch));

  const gate: StepDraft = {
    action: 'gate',
    params: {
      loadBalancerId: balancer.id,
      minHealthy: budget.minHealthy,
      maxUnavailable: budget.maxUnavailable,
      ...(node.group === undefined ? {} : { group: node.group }),
      groupPeers: node.groupPeers,
      ...(spec.rollout.window === undefined ? {} : { windowEnd: spec.rollout.window.end }),
      expectedNodeSeconds: 0,
    },
    ...at,
    description: '',
    mutates: false,
    inverse: READ_ONLY,
    expectedSeconds: GATE_SECONDS,
  };
  const nodeSeconds = steps.reduce((sum, step) => sum + step.expectedSeconds, GATE_SECONDS);
  if (gate.action === 'gate') gate.params.expectedNodeSeconds = nodeSeconds;
  gate.description = gateDescription(ctx, node, budget, nodeSeconds);
  const beforeHooks = spec.hooks.before.length;
  steps.splice(beforeHooks, 0, gate);
  if (compliant !== undefined) {
    // The compliance check comes first: a server that needs nothing is not gated, hooked or drained.
    const at = steps.findIndex((s) => s.action === 'node.capture-baseline');
    steps.unshift(...steps.splice(at, 1));
  }
  return steps;
}

/** The workflow's skipIfCompliant, as the plan's expectation (never `changed`: see the spec check). */
function complianceExpectation(
  verify: Exclude<PlanContext['spec']['patch']['verify'], false>,
): { expect: VerifyExpectation; phrase: string } | undefined {
  if (verify.skipIfCompliant !== true || verify.expect === 'changed') return undefined;
  return 'equals' in verify.expect
    ? {
        expect: { kind: 'equals', value: verify.expect.equals },
        phrase: `equals "${verify.expect.equals}"`,
      }
    : {
        expect: { kind: 'matches', pattern: verify.expect.matches },
        phrase: `matches /${verify.expect.matches}/`,
      };
}

function gateDescription(
  ctx: PlanContext,
  node: FleetNode,
  budget: Budget,
  nodeSeconds: number,
): string {
  const parts = [
    `at least ${budget.minHealthy} healthy, weighted backend(s) remain on ${ctx.balancer.label} once it leaves`,
    `at most ${budget.maxUnavailable} server(s) of this run out of service`,
  ];
  if (node.group !== undefined) {
    parts.push(
      `no other member of group ${node.group} (${node.groupPeers.join(', ') || 'none'}) out`,
    );
  }
  if (ctx.spec.rollout.window !== undefined) {
    parts.push(
      `~${formatDuration(nodeSeconds)} left before the window ends at ${ctx.spec.rollout.window.end}`,
    );
  }
  return `Gate for ${nodeLabel(node)} (checked live; blocks if it cannot be evaluated): ${parts.join('; ')}`;
}

function hookSteps(
  ctx: PlanContext,
  node: FleetNode,
  when: 'before' | 'after',
  hooks: readonly HookSpec[],
  batch: number,
): StepDraft[] {
  return hooks.map((hook) => {
    const command = expandTemplate(hook.command, {
      instanceId: node.id,
      name: node.name,
      ...(node.instance.privateIp === undefined ? {} : { privateIp: node.instance.privateIp }),
    });
    const host = hook.on === 'local' ? { kind: 'local' as const } : hostTarget(ctx, node);
    return {
      action: 'hook' as const,
      params: { when, host, command, timeoutSeconds: hook.timeoutSeconds },
      phase: 'rollout' as const,
      batch,
      node: node.id,
      description: `${when === 'before' ? 'Before' : 'After'}-hook for ${nodeLabel(node)}, ${hook.on === 'local' ? 'on this machine' : `via ${describeHost(host)}`}: \`${command}\``,
      mutates: true,
      inverse: irreversible(HOOK_REASON),
      expectedSeconds: Math.min(hook.timeoutSeconds, HOOK_SECONDS),
    };
  });
}

function describeHost(host: ReturnType<typeof hostTarget> | { kind: 'local' }): string {
  if (host.kind === 'ecs') return 'Cloud Assistant';
  if (host.kind === 'ssh') return `SSH ${host.username}@${host.address}:${host.port}`;
  return 'this machine';
}

function describeProbe(probe: Exclude<ReturnType<typeof drainProbe>, { kind: 'none' }>): string {
  if (probe.kind === 'connections') return `open connections on port ${probe.port}`;
  const where =
    probe.source.type === 'local' ? probe.source.path : `${probe.source.host}:${probe.source.path}`;
  return `access log ${where}, ignoring ${probe.filter.ignoreCidrs.join(', ') || 'nothing'}`;
}

function describeChecks(checks: ReturnType<typeof nodeHealthChecks>): string {
  const parts = checks.checks.map((check) => {
    if (check.kind === 'http')
      return `HTTP ${check.host}:${check.port}${check.path} → ${check.expectStatus.join('/')}`;
    if (check.kind === 'tcp') return `TCP ${check.host}:${check.port}`;
    return `the balancer's health view${check.listenerPort === undefined ? '' : ` on :${check.listenerPort}`}`;
  });
  if (checks.balancerChecks.length > 0) parts.push("the balancer's health view");
  return parts.join(' and ') || 'its checks';
}
