/**
 * Putting a node back: ramp its weight through percentages of the recorded original (or of
 * `targetWeight` for a backend brought into service), holding each step while the traffic
 * probe counts 5xx answers, judged every second (ramp-hold.ts). Over the limit (with enough
 * requests to judge) the step fails as a bad ramp at once and the failure policy takes the node
 * back to 0. Once a node of the rollout is back, the weight saved for it on the balancer goes.
 */
import type { Step } from '../../plan/types.js';
import type { TrafficProbe } from '../../ports/index.js';
import { resolveRef } from '../execution/refs.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok } from '../execution/run-context.js';
import { runFleetRestore } from './fleet-weights.js';
import { holdAndJudge, inconclusiveNote, rampDecision, rampRule } from './ramp-hold.js';
import { recordHold } from './ramp-journal.js';
import { forgetSavedWeight } from './saved-weight.js';
import { expectedWeightOf, setWeight } from './weights.js';

type RestoreStep = Extract<Step, { action: 'node.restore' }>;

/** Weights of the ramp: ascending, at least 1 while ramping, ending exactly at `base`. */
export function rampLevels(base: number, percents: readonly number[]): number[] {
  if (base <= 0) return [0];
  const levels = percents
    .filter((p) => p > 0)
    .map((p) => (p >= 100 ? base : Math.min(base, Math.max(1, Math.round((base * p) / 100)))));
  levels.push(base);
  return [...new Set(levels)].sort((a, b) => a - b);
}

export async function runRestore(ctx: RunContext, step: RestoreStep): Promise<StepOutcome> {
  if (step.params.attachments !== undefined) {
    return runFleetRestore(ctx, step, step.params.attachments);
  }
  const { serverId, targetWeight, rampPercent, holdSeconds, max5xxRate } = step.params;
  const { budget, policy } = rampRule(step.params);
  const node = step.node ?? serverId;
  const record = ctx.state.nodes.get(node);
  const loadBalancerId = String(resolveRef(step.params.loadBalancerId, ctx.state));
  const base = targetWeight ?? record?.originalWeight;
  if (base === undefined) {
    return ok(`weight of ${serverId} was never changed by this run; nothing to restore`);
  }
  // Bringing a new backend into service before the rollout is not part of its maintenance.
  if (step.phase === 'rollout') await ctx.moveNode(node, 'restoring');
  const levels = rampLevels(base, rampPercent);
  const probeConfig = step.params.probe;
  let probe: TrafficProbe | undefined;
  try {
    if (probeConfig.kind !== 'none') probe = await ctx.ports.trafficProbes(node, probeConfig);
    for (const level of levels) {
      if (record?.rampPassed.some((r) => r.step === step.id && r.weight === level)) continue;
      const current = ctx.state.weights.get(serverId);
      if (current !== level) {
        // Under the gate mutex: a gate evaluated for another node sees this change or not, never half.
        const result = await ctx.gateMutex.run(() =>
          setWeight(ctx, {
            step: step.id,
            opId: `${step.id}#w${level}`,
            node,
            loadBalancerId,
            serverId,
            to: level,
            expect: expectedWeightOf(ctx, serverId),
          }),
        );
        if (!result.ok) {
          return failed(
            'drift',
            `stopped the ramp, the weight is not ours any more: ${result.drift}`,
          );
        }
      }
      const verdict = await holdAndJudge(ctx.ports.clock, probe, budget);
      const { sample } = verdict;
      const decision = rampDecision(verdict, policy);
      const early = decision === 'bad' && sample !== undefined && sample.seconds < holdSeconds;
      const unproven = inconclusiveNote(verdict, budget, policy);
      const detail =
        sample === undefined
          ? `held weight ${level} for ${holdSeconds}s (no probe)`
          : `weight ${level}: ${sample.errors5xx}/${sample.requests} 5xx (${pct(sample.rate)}, limit ${pct(max5xxRate)}${unproven === '' ? '' : `, ${unproven}`})${early ? ` after ${round(sample.seconds)}s of the ${holdSeconds}s hold` : ''}`;
      await recordHold(ctx, step, node, decision, detail, { weight: level, ...(sample ?? {}) });
      if (decision === 'bad')
        return failed('bad-ramp', `5xx rate too high while restoring: ${detail}`);
      if (decision === 'unproven') return failed('unproven-ramp', `ramp not proven: ${detail}`);
    }
  } finally {
    await probe?.close();
  }
  const restored = `weight ${base} restored on ${loadBalancerId} in ${levels.length} step(s) (${levels.join(' → ')})`;
  // Back where it belongs: the weight saved before its drain has served its purpose.
  if (step.phase !== 'rollout') return ok(restored);
  const tag = await forgetSavedWeight(
    ctx,
    { loadBalancerId, serverId, node },
    `${serverId} is back at weight ${base}`,
  );
  return ok(`${restored}; ${tag}`);
}

function pct(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}
