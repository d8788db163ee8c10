/**
 * Taking a node out: save the weight it comes back to on the balancer, set its weight to 0
 * (after the drift check and the gate re-check, under the gate mutex), then wait until real
 * traffic has left it. The original weight recorded in the intent is the live one, read right
 * before the change.
 */
import { savedWeightKey } from '../../plan/saved-weight-tag.js';
import type { Step } from '../../plan/types.js';
import type { DrainProgress } from '../../ports/index.js';
import { FatalRunError, message } from '../engine-errors.js';
import { haltAtDrainsEnd } from '../execution/drains-end.js';
import { resolveRef } from '../execution/refs.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok, stopped } from '../execution/run-context.js';
import { isStop } from '../execution/run-control.js';
import { observeBalancer } from './balancer-drift.js';
import { runFleetDrain } from './fleet-weights.js';
import { recheckGateBeforeDrain } from './gate-step.js';
import {
  boundWeight,
  forgetSavedWeight,
  type SavedWeightTarget,
  saveWeight,
  weightToComeBack,
} from './saved-weight.js';
import { applyWeight, expectedWeightOf } from './weights.js';

type DrainStep = Extract<Step, { action: 'node.drain' }>;
type WaitDrainedStep = Extract<Step, { action: 'node.wait-drained' }>;

export async function runDrain(ctx: RunContext, step: DrainStep): Promise<StepOutcome> {
  if (step.params.attachments !== undefined) {
    return runFleetDrain(ctx, step, step.params.attachments);
  }
  const node = step.node ?? step.params.serverId;
  const serverId = step.params.serverId;
  const loadBalancerId = String(resolveRef(step.params.loadBalancerId, ctx.state));
  await ctx.drainTurns.waitTurn(node);
  return ctx.gateMutex.run(async () => {
    if (ctx.state.completedOps.has(step.id)) {
      return ok(`weight already 0 (original ${ctx.state.nodes.get(node)?.originalWeight})`);
    }
    if (ctx.control.stopRequested || (await haltAtDrainsEnd(ctx)))
      return stopped('the rollout is stopping: no further node leaves service');
    // Locks first: however long their check takes, the health the gate decides on and the
    // weight read below are observed after it, right before weight 0 is sent.
    let seen: Readonly<Record<string, string>> | undefined;
    await ctx.checkLocks(`the drain of ${node}`, (id, tags) => {
      if (id === loadBalancerId) seen = tags;
    });
    // Then the weight it comes back to, on the balancer where any later run finds it; before
    // the observation, so the weight-0 decision stays on a reading taken right before it.
    const target = { loadBalancerId, serverId, node };
    const back = weightToComeBack(ctx, node, serverId, step.params.expectedWeight);
    if (Array.isArray(back)) {
      return failed(
        'drift',
        `cannot tell which weight ${serverId} comes back to (this run expects ${back.join(' or ')}): not drained, nothing changed`,
      );
    }
    let wrote = false;
    if (back > 0) {
      try {
        wrote = await saveWeight(ctx, target, back, seen);
      } catch (error) {
        if (error instanceof FatalRunError) throw error;
        return failed(
          'error',
          `could not save ${back} as the weight ${serverId} comes back to (tag ${savedWeightKey(serverId)} on ${loadBalancerId}): ${message(error)}; not drained, nothing changed`,
        );
      }
    }
    // A drain decided against leaves no saved weight behind on a node that serves — saved by
    // this process, by this run before a restart (the tag was found already there), or left by
    // another — while one out of service (found at 0, a retry) keeps it: that is where it goes
    // back to. So does one serving below a weight it is bound for (a ramp that stopped).
    const expected = expectedWeightOf(ctx, serverId, step.params.expectedWeight);
    const serving = expected.every((w) => w > 0);
    const stillBound = boundWeight(ctx, node) !== undefined && expected.every((w) => w < back);
    const undoSave = async () => {
      const begun = ctx.state.pendingIntents.has(step.id) || ctx.state.completedOps.has(step.id);
      if (back > 0 && serving && !stillBound && !begun) {
        await forgetSavedWeight(ctx, target, `${serverId} was not drained`);
      }
    };
    let outcome: StepOutcome;
    try {
      outcome = await decideAndDrain(ctx, step, target);
    } catch (error) {
      if (!(error instanceof FatalRunError)) await undoSave();
      throw error;
    }
    if (outcome.status !== 'ok') {
      await undoSave();
      return outcome;
    }
    const kept =
      back > 0
        ? `; comes back to ${back} (${wrote ? 'saved as' : 'already in'} the tag ${savedWeightKey(serverId)})`
        : '';
    return ok(`${outcome.detail}${kept}`, {
      ...outcome.data,
      ...(back > 0 ? { comesBackTo: back } : {}),
    });
  });
}

/** Drift check, gate re-check, weight to 0: on a reading of the balancer taken right before. */
async function decideAndDrain(
  ctx: RunContext,
  step: DrainStep,
  target: SavedWeightTarget,
): Promise<StepOutcome> {
  const { loadBalancerId, serverId, node } = target;
  const { info, drift } = await observeBalancer(ctx, loadBalancerId);
  const backend = info.backends.find((b) => b.serverId === serverId);
  if (backend === undefined && !drift.some((d) => d.includes(serverId))) {
    drift.push(`backend ${serverId} is not attached to ${loadBalancerId}`);
  }
  if (drift.length > 0 || backend === undefined) {
    return failed(
      'drift',
      `the balancer drifted from the plan, nothing changed: ${drift.join('; ')}`,
      { drift },
    );
  }
  const blocked = await recheckGateBeforeDrain(ctx, step, node);
  if (blocked !== undefined) return blocked;
  await ctx.moveNode(node, 'draining');
  await applyWeight(
    ctx,
    { step: step.id, opId: step.id, node, loadBalancerId, serverId, to: 0 },
    backend.weight,
  );
  return ok(`weight ${backend.weight} → 0 on ${loadBalancerId}`, {
    originalWeight: backend.weight,
  });
}

export async function runWaitDrained(ctx: RunContext, step: WaitDrainedStep): Promise<StepOutcome> {
  const node = step.node ?? '';
  const { probe: config, quietSeconds, timeoutSeconds, onTimeout } = step.params;
  const { clock } = ctx.ports;
  if (config.kind === 'none') {
    try {
      await clock.sleep(config.waitSeconds * 1000, ctx.control.signal);
    } catch (error) {
      if (isStop(error)) return stopped('stop requested while waiting for the drain');
      throw error;
    }
    await ctx.record({
      type: 'probe',
      step: step.id,
      node,
      kind: 'drain',
      outcome: 'skipped',
      detail: `no probe: waited ${config.waitSeconds}s`,
    });
    await ctx.moveNode(node, 'drained');
    return ok(`waited ${config.waitSeconds}s (no drain probe)`);
  }
  const probe = await ctx.ports.trafficProbes(node, config);
  let outcome: Awaited<ReturnType<typeof probe.waitForDrain>> | undefined;
  try {
    outcome = await probe.waitForDrain({
      quietSeconds,
      timeoutSeconds,
      signal: ctx.control.signal,
      onProgress: reportDrainProgress(ctx, node, quietSeconds),
    });
  } catch (error) {
    if (isStop(error)) return stopped('stop requested while waiting for the drain');
    throw error;
  } finally {
    // A node that goes on towards its reboot keeps its probe open: the reboot judges again.
    const goesOn = outcome?.outcome === 'drained' || onTimeout === 'proceed';
    if (outcome !== undefined && goesOn && rebootFollows(ctx, node)) {
      await ctx.heldProbes.hold(node, probe);
    } else {
      await probe.close();
    }
  }
  const data = {
    waitedSeconds: outcome.waitedSeconds,
    realRequests: outcome.realRequests,
    ...(outcome.lastRealRequestAt === undefined
      ? {}
      : { lastRealRequestAt: outcome.lastRealRequestAt }),
  };
  if (outcome.outcome === 'drained') {
    const detail = `no real request for ${quietSeconds}s (waited ${Math.round(outcome.waitedSeconds)}s, ${outcome.realRequests} real requests seen)`;
    await ctx.record({
      type: 'probe',
      step: step.id,
      node,
      kind: 'drain',
      outcome: 'drained',
      detail,
      data,
    });
    await ctx.moveNode(node, 'drained');
    return ok(detail, data);
  }
  const detail = `still receiving real traffic after ${timeoutSeconds}s (last real request ${outcome.lastRealRequestAt ?? 'unknown'}, ${outcome.final.requestsPerSecond.toFixed(1)} req/s)`;
  await ctx.record({
    type: 'probe',
    step: step.id,
    node,
    kind: 'drain',
    outcome: 'timeout',
    detail,
    data,
  });
  if (onTimeout === 'proceed') {
    await ctx.record({
      type: 'note',
      node,
      message: `drain timed out and the workflow says proceed: patching ${node} anyway; ${detail}`,
    });
    await ctx.moveNode(node, 'drained');
    return ok(`drain timed out, proceeding as the workflow says: ${detail}`, data);
  }
  return failed('drain-timeout', `drain timed out: ${detail}`, data);
}

function rebootFollows(ctx: RunContext, node: string): boolean {
  return ctx.state.plan.steps.some((s) => s.action === 'node.reboot' && s.node === node);
}

/**
 * A drain wait's progress: to a live view about once a second, and in the log every 5 s of it.
 */
export function reportDrainProgress(
  ctx: RunContext,
  node: string,
  quietSeconds: number,
): (progress: DrainProgress) => void {
  let lastLog = 0;
  let lastTold = Number.NEGATIVE_INFINITY;
  return (p) => {
    if (ctx.onDrainProgress !== undefined && p.elapsedSeconds - lastTold >= 1) {
      lastTold = p.elapsedSeconds;
      ctx.onDrainProgress(node, p);
    }
    if (p.elapsedSeconds - lastLog < 5) return;
    lastLog = p.elapsedSeconds;
    ctx.logger.info(
      { node, ...p },
      `${node}: ${p.requestsPerSecond.toFixed(1)} req/s, quiet ${Math.floor(p.quietSeconds)}s of ${quietSeconds}s`,
    );
  };
}
