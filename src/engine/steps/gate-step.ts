/**
 * The gate before a node leaves service (and its re-check inside the drain). Fails closed: an
 * observation that cannot be made blocks. A gate blocked on capacity (min-healthy, a group
 * peer) is given a short patience, because a node restored a moment ago may not be counted
 * healthy by the balancer yet; a window that is too short only gets shorter, so it blocks at once.
 */
import type { Step } from '../../plan/types.js';
import { resolveRef } from '../execution/refs.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok, stopped } from '../execution/run-context.js';
import { isStop } from '../execution/run-control.js';
import {
  evaluateGate,
  type GateDecision,
  type GateObservation,
  type GateParams,
} from '../policy/gates.js';
import { outOfService } from '../policy/node-machine.js';
import { waitForAlertGate } from './alert-gate-wait.js';
import { decideFleetGate, fleetAttachmentsOf, liveListeners } from './fleet-gate.js';

/**
 * How long a capacity gate may wait for the balancer to count enough healthy backends, unless
 * the workflow sets `rollout.gatePatienceSeconds`.
 */
export const GATE_PATIENCE_SECONDS = 60;
export const GATE_RETRY_SECONDS = 2;

type GateStep = Extract<Step, { action: 'gate' }>;

export async function runGate(ctx: RunContext, step: GateStep): Promise<StepOutcome> {
  const node = step.node ?? '';
  const { clock } = ctx.ports;
  const alertGate = ctx.state.plan.alertGate;
  if (alertGate !== undefined) {
    const alerts = await waitForAlertGate(ctx, step, node, alertGate);
    if (alerts.status !== 'ok') return alerts;
  }
  const patience = step.params.patienceSeconds ?? GATE_PATIENCE_SECONDS;
  const deadline = clock.monotonic() + patience * 1000;
  let noted = false;
  for (;;) {
    if (ctx.control.stopRequested)
      return stopped('the rollout is stopping: no further node leaves service');
    const decision = await ctx.gateMutex.run(() => decideGate(ctx, step, node));
    const retryable = decision.checks.every(
      (c) => c.passed || c.name === 'min-healthy' || c.name === 'group',
    );
    if (decision.passed || !retryable || clock.monotonic() >= deadline) {
      await ctx.record({
        type: 'gate',
        step: step.id,
        node,
        passed: decision.passed,
        summary: decision.summary,
        checks: decision.checks,
      });
      return decision.passed
        ? ok(decision.summary)
        : failed(
            'gate-blocked',
            `${decision.summary}; the rollout halts before ${node} leaves service`,
          );
    }
    if (!noted) {
      noted = true;
      await ctx.record({
        type: 'note',
        node,
        message: `${decision.summary}; waiting up to ${patience}s for it to clear`,
      });
    }
    try {
      await clock.sleep(GATE_RETRY_SECONDS * 1000, ctx.control.signal);
    } catch (error) {
      if (isStop(error)) {
        return stopped('stop requested while the gate waited');
      }
      throw error;
    }
  }
}

/** Observe the balancer and evaluate one node's gate. Call under the gate mutex. */
export async function decideGate(
  ctx: RunContext,
  step: GateStep,
  node: string,
): Promise<GateDecision> {
  const attachments = fleetAttachmentsOf(ctx, node);
  if (attachments !== undefined) return decideFleetGate(ctx, step, node, attachments);
  const params: GateParams = {
    minHealthy: step.params.minHealthy,
    maxUnavailable: step.params.maxUnavailable,
    groupPeers: step.params.groupPeers,
    expectedNodeSeconds: step.params.expectedNodeSeconds,
    ...(step.params.windowEnd === undefined ? {} : { windowEnd: step.params.windowEnd }),
  };
  const observation = await observeForGate(ctx, step);
  const out = [...ctx.state.nodes.values()]
    .filter((n) => n.id !== node && outOfService(n.state))
    .map((n) => n.id);
  return evaluateGate({ node, params, observation, outOfService: out, now: ctx.ports.clock.now() });
}

async function observeForGate(ctx: RunContext, step: GateStep): Promise<GateObservation> {
  try {
    const id = String(resolveRef(step.params.loadBalancerId, ctx.state));
    const [backends, health, listeners] = await Promise.all([
      ctx.ports.loadBalancer.listBackends(id),
      ctx.ports.loadBalancer.healthStatus(id),
      liveListeners(ctx.ports.loadBalancer, id),
    ]);
    return { ok: true, backends, health, listeners };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** The gate step of a node, if the plan has one (the drain re-checks it). */
export function gateStepOf(ctx: RunContext, node: string): GateStep | undefined {
  return ctx.state.plan.steps.find((s): s is GateStep => s.action === 'gate' && s.node === node);
}

/**
 * The node's gate asked again right before its drain, under the gate lock: another node may have
 * left service since the gate step passed. Journaled as a re-check; a block fails the drain.
 */
export async function recheckGateBeforeDrain(
  ctx: RunContext,
  step: Step,
  node: string,
): Promise<StepOutcome | undefined> {
  const gate = gateStepOf(ctx, node);
  if (gate === undefined) return undefined;
  const decision = await decideGate(ctx, gate, node);
  await ctx.record({
    type: 'gate',
    step: step.id,
    node,
    passed: decision.passed,
    summary: decision.summary,
    checks: decision.checks,
    recheck: true,
  });
  if (decision.passed) return undefined;
  return failed('gate-blocked', `${decision.summary} (re-checked right before the drain)`);
}
