/**
 * The alert gate inside a node's gate step: before the balancer's headroom is judged, ask the
 * monitoring system (the AlertGateChecker port) whether anything blocks. While it blocks, the
 * node waits — it still serves, nothing changed — asking again every `pollSeconds`, for at most
 * `maxWaitMinutes`; then the rollout halts with the node untouched (`gate-blocked`, which a
 * resume retries). A checker that is missing or fails is a blocked answer: gates fail closed.
 * The wait is journaled as it begins and whenever the reason changes (a `note` with `waiting`,
 * which `drainctl status` shows under the node), and the last answer as a `gate` entry.
 */
import type { PlanAlertGate, Step } from '../../plan/types.js';
import type { AlertGateVerdict } from '../../ports/index.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok, stopped } from '../execution/run-context.js';
import { isStop } from '../execution/run-control.js';

type GateStep = Extract<Step, { action: 'gate' }>;

/** `ok` once the gate is open; `failed('gate-blocked')` after the wait; `stopped` on a stop. */
export async function waitForAlertGate(
  ctx: RunContext,
  step: GateStep,
  node: string,
  gate: PlanAlertGate,
): Promise<StepOutcome> {
  const { clock } = ctx.ports;
  const deadline = clock.monotonic() + gate.maxWaitMinutes * 60_000;
  let told: string | undefined;
  for (;;) {
    if (ctx.control.stopRequested) {
      return stopped('the rollout is stopping: no further node leaves service');
    }
    const verdict = await askAlertGate(ctx, gate);
    if (!verdict.blocked || clock.monotonic() >= deadline) {
      const summary = verdict.blocked
        ? `alert gate blocked: ${verdict.reason}`
        : `alert gate open: ${verdict.reason}`;
      await ctx.record({
        type: 'gate',
        step: step.id,
        node,
        passed: !verdict.blocked,
        summary,
        checks: [{ name: 'alerts', passed: !verdict.blocked, detail: verdict.reason }],
      });
      if (!verdict.blocked) return ok(summary);
      const waited =
        gate.maxWaitMinutes === 0 ? '' : ` (waited ${gate.maxWaitMinutes} min for it to clear)`;
      return failed(
        'gate-blocked',
        `${summary}${waited}; the rollout halts before ${node} leaves service`,
      );
    }
    if (verdict.reason !== told) {
      told = verdict.reason;
      await ctx.record({
        type: 'note',
        node,
        step: step.id,
        waiting: true,
        alertGate: true,
        message: `waiting for the alert gate: ${verdict.reason}; asked again every ${gate.pollSeconds}s, the rollout halts if it still blocks ${gate.maxWaitMinutes} min after the wait began`,
      });
    }
    try {
      await clock.sleep(
        Math.min(gate.pollSeconds * 1000, Math.max(0, deadline - clock.monotonic())),
        ctx.control.signal,
      );
    } catch (error) {
      if (isStop(error)) return stopped('stop requested while the alert gate blocked');
      throw error;
    }
  }
}

/** The port's answer; no checker, or one that throws, is a blocked answer saying so. */
async function askAlertGate(ctx: RunContext, gate: PlanAlertGate): Promise<AlertGateVerdict> {
  const checker = ctx.ports.alertGate;
  if (checker === undefined) {
    return {
      blocked: true,
      reason:
        'cannot evaluate the alert gate (fails closed): this process has no alert gate checker',
      matches: [],
    };
  }
  try {
    return await checker.check(gate, ctx.control.signal);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      blocked: true,
      reason: `cannot evaluate the alert gate (fails closed): ${why}`,
      matches: [],
    };
  }
}
