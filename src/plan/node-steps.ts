/**
 * One server's rollout, built in the order it runs and the runbook reads:
 *
 *   [baseline] → before-hooks → before-gates → [redis backup → redis failover] → gate →
 *   [baseline] → drain → [release connections] → wait drained → patch → reboot → wait healthy →
 *   verify → [redis rejoin] → after-gates → restore (ramp) → after-hooks
 *
 * The verify baseline comes first of all when it can find the server already compliant and
 * skip it (then it is not gated, hooked or drained); otherwise right before the drain. The gate
 * (fails closed, the maintenance window included) is checked once the before-hooks ran, while
 * the server still serves. Each mutating step names its undo (undo.ts) or why it has none.
 */
import type { HookSpec } from '../workflow/index.js';
import { expandTemplate } from '../workflow/index.js';
import { describeAlertHold, planAlertGate } from './alert-gate-plan.js';
import { boundFor } from './at-zero.js';
import type { Budget } from './budget.js';
import { formatDuration, formatRate, inconclusiveHold, rampWeights } from './describe.js';
import {
  BACKEND_CALL_SECONDS,
  drainSeconds,
  GATE_SECONDS,
  HOOK_SECONDS,
  healthySeconds,
  PATCH_COMMAND_SECONDS,
  REBOOT_SECONDS,
  rampSeconds,
  SHORT_COMMAND_SECONDS,
} from './estimates.js';
import type { FleetNode } from './fleet.js';
import { nodeHealthChecks } from './health-checks.js';
import { describeHost, hostTarget, nodeLabel } from './host-target.js';
import { nginxUpgradeSteps } from './nginx-upgrade-steps.js';
import type { PlanContext } from './plan-context.js';
import { drainProbe, restoreProbe } from './probe-config.js';
import { redisMemberAfterSteps, redisMemberBeforeSteps } from './redis-member-steps.js';
import { patchUndo, rollbackPointStep, rollbackSteps } from './rollback-steps.js';
import { savedWeightKey } from './saved-weight-tag.js';
import { stateGateSteps } from './state-gate-steps.js';
import { irreversible, READ_ONLY, type StepDraft } from './step-draft.js';
import type {
  HostTarget,
  NeededCheck,
  PlanAttachment,
  ReleaseConnections,
  VerifyExpectation,
} from './types.js';
import { undoOf } from './undo.js';
import { effectivePatch, windowsUpdateProblems } from './windows-update-patch.js';

const HOOK_REASON = "a hook is the workflow's own command; drainctl cannot know how to undo it";
const PATCH_REASON =
  'drainctl does not roll back packages; the previous kernel stays installed and can be chosen at boot';
const REBOOT_REASON = 'a reboot cannot be undone';
const RELEASE_REASON =
  'connections let go are not taken back: their clients open new ones through the balancer, to the servers still serving';

/**
 * @param attachments a fleet plan's node: every place it is attached, drained together and
 *   restored each to its own weight; absent, the node is on `ctx.balancer` alone
 */
export function nodeSteps(
  ctx: PlanContext,
  node: FleetNode,
  batch: number,
  budget: Budget,
  attachments?: readonly PlanAttachment[],
): StepDraft[] {
  const { spec, balancer } = ctx;
  const label = nodeLabel(node);
  const host = hostTarget(ctx, node);
  windowsUpdateProblems(ctx, node, host);
  const at = { phase: 'rollout' as const, batch, node: node.id };

  const before = [
    ...hookSteps(ctx, node, 'before', spec.hooks.before, batch),
    ...stateGateSteps(ctx, node, at, 'before'),
    ...redisMemberBeforeSteps(ctx, node, at),
  ];
  const patch = effectivePatch(spec.patch);
  const verify = patch.verify;
  const neededWhen = patch.neededWhen.map((check) => ({
    command: check.command,
    exitCode: check.exitCode,
    timeoutSeconds: check.timeoutSeconds,
  }));
  // A server found at weight 0 comes back to a weight a run saved or the operator gave; one
  // found serving below its saved weight (a ramp that stopped), to that weight.
  const back = boundFor(node.id, node);
  const atZero = back !== undefined && node.atZero !== undefined;
  // Already compliant is not "nothing to do" for a server out of service: it must still come
  // back, and only through the proof (healthy, verified, ramp), so it is never skipped.
  const compliant =
    verify === false || back !== undefined ? undefined : complianceTest(verify, neededWhen);
  // `changed` with checks, on a server they cannot skip (skipping is off, or it is bound for a
  // saved weight): asked with the baseline, they record how it was found, and an unchanged
  // output after the patch is "already current" only on a server they found current. One they
  // can skip was found needing the patch if it is drained at all: unchanged is unpatched.
  const recordOnly =
    compliant === undefined &&
    verify !== false &&
    verify.expect === 'changed' &&
    neededWhen.length > 0
      ? neededWhen
      : undefined;
  const asked = compliant?.neededWhen ?? recordOnly;
  const baseline: StepDraft[] =
    verify === false
      ? []
      : [
          {
            action: 'node.capture-baseline',
            params: {
              host,
              command: verify.command,
              timeoutSeconds: verify.timeoutSeconds,
              ...(compliant?.expect === undefined ? {} : { skipIfCompliant: compliant.expect }),
              ...(asked === undefined ? {} : { neededWhen: asked }),
              ...(recordOnly === undefined ? {} : { neverSkip: true as const }),
            },
            ...at,
            description: `Record \`${verify.command}\` on ${label} as the baseline${
              recordOnly === undefined
                ? complianceDescription(label, compliant)
                : recordDescription(label, recordOnly)
            }`,
            mutates: false,
            inverse: READ_ONLY,
            expectedSeconds: SHORT_COMMAND_SECONDS * (1 + (asked?.length ?? 0)),
          },
        ];
  const maintenance: StepDraft[] = [];
  if (attachments !== undefined) {
    maintenance.push(fleetDrainStep(node, attachments, at));
  } else
    maintenance.push({
      action: 'node.drain',
      params: {
        loadBalancerId: balancer.id,
        serverId: node.id,
        expectedWeight: node.weightAtRollout,
      },
      ...at,
      description: atZero
        ? `Keep ${back?.weight} as ${label}'s weight to come back to, as the tag ${savedWeightKey(node.id)} on ${balancer.label} (it is at weight 0 already)`
        : `Set ${label} weight ${node.weightAtRollout} → 0 on ${balancer.label} (the live weight is recorded first)${back === undefined ? '' : `; it comes back to ${back.weight}, kept as the tag ${savedWeightKey(node.id)}`}`,
      mutates: true,
      inverse: undoOf('node.drain', {
        label,
        weight: atZero && back !== undefined ? back.weight : node.weightAtRollout,
        foundAtZero: atZero,
        ...(back !== undefined && !atZero ? { keeps: back.weight } : {}),
      }),
      expectedSeconds: BACKEND_CALL_SECONDS,
    });
  const { drain } = spec;
  const release = releaseConnectionsOf(ctx, host);
  if (release !== undefined) {
    maintenance.push({
      action: 'node.release-connections',
      params: release,
      ...at,
      description: `Run \`${release.command}\` on ${label} via ${describeHost(host)} now that it is at weight 0, so it lets its keep-alive connections go (within ${formatDuration(release.timeoutSeconds)}; if it fails, the drain waits for them to end by themselves)`,
      mutates: true,
      inverse: irreversible(RELEASE_REASON),
      expectedSeconds: Math.min(release.timeoutSeconds, SHORT_COMMAND_SECONDS),
    });
  }
  const probe = drainProbe(ctx, node);
  maintenance.push({
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
        ? `Wait ${formatDuration(probe.waitSeconds)} for ${label}'s clients to leave, then go on whatever traffic is left (probe none: no evidence, no timeout)`
        : `Wait until ${label} has had no real request for ${drain.quietSeconds} s (${describeProbe(probe)}); after ${formatDuration(drain.timeoutSeconds)}: ${drain.onTimeout === 'halt' ? 'restore it and halt' : 'proceed anyway'}`,
    mutates: false,
    inverse: READ_ONLY,
    expectedSeconds: probe.kind === 'none' ? probe.waitSeconds : drainSeconds(drain),
  });

  if (patch.kind === 'nginx-hot-upgrade' && patch.nginx !== undefined) {
    maintenance.push(...nginxUpgradeSteps(node, host, at, patch.nginx));
  }
  // A rollback proves the old version runs by the verify command's baseline; a fleet server's
  // rollback is not planned (its ramp is per attachment).
  const rollback =
    patch.rollback !== undefined &&
    patch.commands.length > 0 &&
    verify !== false &&
    attachments === undefined
      ? patch.rollback
      : undefined;
  if (rollback !== undefined && verify !== false) {
    maintenance.push(rollbackPointStep(rollback, host, label, verify.command, at));
  }
  if (patch.commands.length > 0) {
    maintenance.push({
      action: 'node.patch',
      params: { host, commands: patch.commands, timeoutSeconds: patch.timeoutSeconds },
      ...at,
      description: `Run on ${label} via ${describeHost(host)}: ${patch.commands.map((command) => `\`${command}\``).join(', then ')} (within ${formatDuration(patch.timeoutSeconds)})`,
      mutates: true,
      inverse: rollback === undefined ? irreversible(PATCH_REASON) : patchUndo(rollback, label),
      expectedSeconds: Math.min(
        patch.timeoutSeconds,
        PATCH_COMMAND_SECONDS * patch.commands.length,
      ),
    });
  }
  if (patch.reboot) {
    const patched = patch.commands.length > 0;
    // Not rebooted and no command ran: the host is untouched, so it goes back as it was found.
    const putBackTo = patched || atZero ? undefined : node.weightAtRollout;
    maintenance.push({
      action: 'node.reboot',
      params: { host, timeoutSeconds: patch.rebootTimeoutSeconds },
      ...at,
      description: `${describeTrafficRecheck(label, probe, drain, patched, putBackTo)} ${label} via ${describeHost(host)} and wait until it runs again (within ${formatDuration(patch.rebootTimeoutSeconds)}, else it stays at weight 0 and the rollout halts)`,
      mutates: true,
      inverse: irreversible(REBOOT_REASON),
      expectedSeconds: Math.min(patch.rebootTimeoutSeconds, REBOOT_SECONDS),
    });
  }
  const { health } = spec;
  const checks = nodeHealthChecks(ctx, node);
  maintenance.push({
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
    expectedSeconds: healthySeconds(health),
  });
  if (verify !== false) {
    const judgedByChecks = recordOnly !== undefined;
    const expectation =
      verify.expect === 'changed'
        ? judgedByChecks
          ? `differs from the baseline — or, if it is unchanged and the checks found ${label} current before its drain, that none now says it needs the patch (${describeChecksNeeded(neededWhen)}): it was already current`
          : 'differs from the baseline'
        : 'equals' in verify.expect
          ? `equals "${verify.expect.equals}"`
          : `matches /${verify.expect.matches}/`;
    maintenance.push({
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
        ...(recordOnly === undefined ? {} : { neededWhen: recordOnly }),
      },
      ...at,
      description: `Check \`${verify.command}\` on ${label} ${expectation} (else it stays at weight 0 and the rollout halts)`,
      mutates: false,
      inverse: READ_ONLY,
      expectedSeconds: SHORT_COMMAND_SECONDS,
    });
  }
  maintenance.push(...redisMemberAfterSteps(ctx, node, at));
  maintenance.push(...stateGateSteps(ctx, node, at, 'after'));
  const { restore } = spec;
  if (attachments !== undefined) {
    maintenance.push(fleetRestoreStep(ctx, node, attachments, at, release));
  } else
    maintenance.push({
      action: 'node.restore',
      params: {
        loadBalancerId: balancer.id,
        serverId: node.id,
        ...(back === undefined ? {} : { targetWeight: back.weight }),
        rampPercent: restore.rampPercent,
        holdSeconds: restore.holdSeconds,
        max5xxRate: restore.max5xxRate,
        minRequests: restore.minRequests,
        extendSeconds: restore.extendSeconds,
        onInconclusive: restore.onInconclusive,
        probe: restoreProbe(ctx, node),
        ...(release === undefined ? {} : { releaseConnections: release }),
      },
      ...at,
      description: `Restore ${label} to ${back === undefined ? 'its recorded weight' : `weight ${back.weight} (${back.reason})`} on ${balancer.label}: ${rampWeights(0, back?.weight ?? node.weightAtRollout, restore.rampPercent)}, holding ${restore.holdSeconds} s per step${inconclusiveHold(restore, restoreProbe(ctx, node).kind !== 'none')}; a 5xx rate above ${formatRate(restore.max5xxRate)} puts it back to 0${release === undefined ? '' : ` (then \`${release.command}\` lets the connections open to it go)`} and halts`,
      mutates: true,
      inverse: undoOf('node.restore', {
        label,
        ...(release === undefined ? {} : { release: release.command }),
      }),
      expectedSeconds: rampSeconds(restore),
    });
  const after = hookSteps(ctx, node, 'after', spec.hooks.after, batch);
  const rolledBack =
    rollback === undefined ? [] : rollbackSteps(rollback, host, label, maintenance, at);

  // The gate weighs the window against everything else this node's sequence takes.
  const nodeSeconds = [...before, ...baseline, ...maintenance, ...after].reduce(
    (sum, step) => sum + step.expectedSeconds,
    GATE_SECONDS,
  );
  const gate: StepDraft = {
    action: 'gate',
    params: {
      loadBalancerId: balancer.id,
      minHealthy: budget.minHealthy,
      maxUnavailable: budget.maxUnavailable,
      ...(node.group === undefined ? {} : { group: node.group }),
      groupPeers: node.groupPeers,
      ...(spec.rollout.window === undefined ? {} : { windowEnd: spec.rollout.window.end }),
      expectedNodeSeconds: nodeSeconds,
      ...(spec.rollout.gatePatienceSeconds === undefined
        ? {}
        : { patienceSeconds: spec.rollout.gatePatienceSeconds }),
    },
    ...at,
    description: gateDescription(
      ctx,
      node,
      budget,
      nodeSeconds,
      attachments === undefined
        ? `on ${ctx.balancer.label}`
        : `in each group it leaves (${attachments.map((a) => a.label).join('; ')})`,
    ),
    mutates: false,
    inverse: READ_ONLY,
    expectedSeconds: GATE_SECONDS,
  };
  // A server that can be found compliant is asked first: if it needs nothing, it is not gated,
  // hooked or drained.
  return compliant !== undefined
    ? [...baseline, ...before, gate, ...maintenance, ...after, ...rolledBack]
    : [...before, gate, ...baseline, ...maintenance, ...after, ...rolledBack];
}

/**
 * The workflow's `drain.releaseConnections` for one server. It runs wherever this run takes the
 * server to weight 0 while clients may still hold connections to it: right after its drain (its
 * own step), and after the failure policy pulls it back from its ramp (the restore's undo) —
 * behind a tcp listener those connections would otherwise keep reaching a failing server.
 */
function releaseConnectionsOf(ctx: PlanContext, host: HostTarget): ReleaseConnections | undefined {
  const release = ctx.spec.drain.releaseConnections;
  return release === undefined
    ? undefined
    : { host, command: release.command, timeoutSeconds: release.timeoutSeconds };
}

/**
 * What makes a server already compliant, so that it is skipped before its drain: the verify
 * expectation met by the baseline (`equals`/`matches`; `changed` has nothing to compare with
 * yet) and no `neededWhen` check calling the patch needed. On unless the workflow says
 * `skipIfCompliant: false`; undefined when nothing can tell (`changed` without checks).
 */
function complianceTest(
  verify: Exclude<PlanContext['spec']['patch']['verify'], false>,
  checks: NeededCheck[],
): ComplianceTest | undefined {
  if (verify.skipIfCompliant === false) return undefined;
  const expect: VerifyExpectation | undefined =
    verify.expect === 'changed'
      ? undefined
      : 'equals' in verify.expect
        ? { kind: 'equals', value: verify.expect.equals }
        : { kind: 'matches', pattern: verify.expect.matches };
  if (expect === undefined && checks.length === 0) return undefined;
  return {
    ...(expect === undefined ? {} : { expect }),
    ...(checks.length === 0 ? {} : { neededWhen: checks }),
  };
}

interface ComplianceTest {
  expect?: VerifyExpectation;
  neededWhen?: NeededCheck[];
}

/** The baseline step's runbook line, after "Record `uname -r` on web-1 as the baseline". */
function complianceDescription(label: string, test: ComplianceTest | undefined): string {
  if (test === undefined) return '';
  const skip = `skip ${label} (no gate, hooks, drain, patch or reboot)`;
  const { expect, neededWhen } = test;
  const expected =
    expect === undefined
      ? undefined
      : expect.kind === 'equals'
        ? `equals "${expect.value}"`
        : expect.kind === 'matches'
          ? `matches /${expect.pattern}/`
          : undefined;
  if (neededWhen === undefined) return `; if it already ${expected}, ${skip}`;
  const ask = `, then ask whether ${label} needs the patch (${describeChecksNeeded(neededWhen)}; any other exit halts with ${label} untouched)`;
  return expected === undefined
    ? `${ask}; if no check says so, ${skip}`
    : `${ask}; if it already ${expected} and no check says so, ${skip}`;
}

/** The baseline step's runbook line when its checks only record how the server was found. */
function recordDescription(label: string, checks: readonly NeededCheck[]): string {
  return `, then ask whether ${label} needs the patch (${describeChecksNeeded(checks)}), only to know how it was found: it is maintained whatever they answer`;
}

/** "`yum -q check-update kernel` exits 100 if needed, 0 if not", for every check. */
function describeChecksNeeded(checks: readonly NeededCheck[]): string {
  return checks
    .map((check) => `\`${check.command}\` exits ${check.exitCode} if needed, 0 if not`)
    .join('; ');
}

/** `where`: the place minHealthy is judged, `on web-slb (lb-1)` or `in each group it leaves (…)`. */
function gateDescription(
  ctx: PlanContext,
  node: FleetNode,
  budget: Budget,
  nodeSeconds: number,
  where: string,
): string {
  const parts = [
    `at least ${budget.minHealthy} healthy, weighted backend(s) remain ${where} once it leaves`,
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
  if (ctx.spec.alertGate !== undefined) {
    // Asked first: its wait may be long, and the balancer's headroom is judged after it.
    const gate = planAlertGate(ctx.spec.alertGate);
    parts.unshift(`first, ${describeAlertHold(gate)}`);
  }
  return `Gate for ${nodeLabel(node)} (checked live; blocks if it cannot be evaluated): ${parts.join('; ')}`;
}

type StepPlace = { phase: 'rollout'; batch: number; node: string };

/**
 * A fleet node's drain: weight 0 on every attachment at once. The engine records each live
 * weight first (one intent per attachment) and sends one call per group.
 */
function fleetDrainStep(
  node: FleetNode,
  attachments: readonly PlanAttachment[],
  at: StepPlace,
): StepDraft {
  const label = nodeLabel(node);
  const first = attachments[0] as PlanAttachment;
  return {
    action: 'node.drain',
    params: {
      loadBalancerId: first.loadBalancerId,
      serverId: node.id,
      expectedWeight: first.weight,
      attachments: [...attachments],
    },
    ...at,
    description: `Set ${label} to weight 0 on all ${attachments.length} attachment(s) at once (each live weight is recorded first): ${attachments.map((a) => `${a.label} ${a.weight} → 0`).join('; ')}`,
    mutates: true,
    inverse: undoOf('node.drain', {
      label,
      weight: first.weight,
      foundAtZero: false,
      attachments: attachments.map((a) => `${a.label} ${a.weight}`).join('; '),
    }),
    expectedSeconds: BACKEND_CALL_SECONDS * attachmentCalls(attachments),
  };
}

/** A fleet node's restore: each attachment ramped to its own recorded weight, in the same steps. */
function fleetRestoreStep(
  ctx: PlanContext,
  node: FleetNode,
  attachments: readonly PlanAttachment[],
  at: StepPlace,
  release: ReleaseConnections | undefined,
): StepDraft {
  const { restore } = ctx.spec;
  const label = nodeLabel(node);
  return {
    action: 'node.restore',
    params: {
      loadBalancerId: (attachments[0] as PlanAttachment).loadBalancerId,
      serverId: node.id,
      attachments: [...attachments],
      rampPercent: restore.rampPercent,
      holdSeconds: restore.holdSeconds,
      max5xxRate: restore.max5xxRate,
      minRequests: restore.minRequests,
      extendSeconds: restore.extendSeconds,
      onInconclusive: restore.onInconclusive,
      probe: restoreProbe(ctx, node),
      ...(release === undefined ? {} : { releaseConnections: release }),
    },
    ...at,
    description: `Restore ${label} on each attachment to its recorded weight: ${attachments.map((a) => `${a.label} ${rampWeights(0, a.weight, restore.rampPercent)}`).join('; ')}, holding ${restore.holdSeconds} s per step${inconclusiveHold(restore, restoreProbe(ctx, node).kind !== 'none')}; a 5xx rate above ${formatRate(restore.max5xxRate)} puts it back to 0 everywhere${release === undefined ? '' : ` (then \`${release.command}\` lets the connections open to it go)`} and halts`,
    mutates: true,
    inverse: undoOf('node.restore', {
      label,
      attachments: attachments.length,
      ...(release === undefined ? {} : { release: release.command }),
    }),
    expectedSeconds: rampSeconds(restore),
  };
}

/** Calls that change every attachment's weight once: one per balancer's default group, one per vServer group. */
export function attachmentCalls(attachments: readonly PlanAttachment[]): number {
  return new Set(attachments.map((a) => `${a.loadBalancerId}/${a.vServerGroupId ?? ''}`)).size;
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

function describeProbe(probe: Exclude<ReturnType<typeof drainProbe>, { kind: 'none' }>): string {
  if (probe.kind === 'connections') return `open connections on port ${probe.port}`;
  const where =
    probe.source.type === 'local' ? probe.source.path : `${probe.source.host}:${probe.source.path}`;
  return `access log ${where}, ignoring ${probe.filter.ignoreCidrs.join(', ') || 'nothing'}`;
}

/**
 * The start of the reboot step's line: the traffic check it makes first (engine:
 * steps/reboot-traffic.ts), ending in the verb the rest of the line continues.
 *
 * @param putBackTo without patch commands, the weight a node not rebooted goes back to (its
 *   host is untouched, so the failure policy rolls it back); undefined when it stays at 0 —
 *   patched, or found there
 */
function describeTrafficRecheck(
  label: string,
  probe: ReturnType<typeof drainProbe>,
  drain: PlanContext['spec']['drain'],
  patched: boolean,
  putBackTo: number | undefined,
): string {
  if (probe.kind === 'none') return 'Without re-checking traffic (no drain probe), reboot';
  const since = patched ? 'during the patch' : 'since the drain';
  const notRebooted =
    putBackTo === undefined
      ? 'it stays at weight 0 and the rollout halts'
      : `it goes back to weight ${putBackTo} and the rollout halts`;
  const check =
    probe.kind === 'connections'
      ? `Check again that no connection is open on ${label} port ${probe.port}, else wait until none for ${drain.quietSeconds} s`
      : `Check again that no real request reached ${label} since it was judged drained (the drain's probe, still open), else wait until none for ${drain.quietSeconds} s`;
  const otherwise =
    drain.onTimeout === 'halt'
      ? `if real traffic keeps arriving ${since} it is not rebooted: ${notRebooted}`
      : 'then it is rebooted anyway';
  return `${check} (within ${formatDuration(drain.timeoutSeconds)}; ${otherwise}); then reboot`;
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
