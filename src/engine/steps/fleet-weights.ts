/**
 * A fleet server's drain, restore the same steps as on one balancer, on every
 * attachment at once (attachment-weights.ts). The drain checks drift on every attachment and
 * re-checks the gate right before weight 0; the restore ramps each attachment through the same
 * percentages of its own recorded weight, holding each step once for all of them. Their undos
 * are in fleet-compensations.ts.
 */

import { savedWeightKey } from '../../plan/saved-weight-tag.js';
import type { PlanAttachment, Step } from '../../plan/types.js';
import { FatalRunError, message } from '../engine-errors.js';
import { haltAtDrainsEnd } from '../execution/drains-end.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok, stopped } from '../execution/run-context.js';
import { attachmentKey } from '../journal/attachment-key.js';
import {
  applyAttachmentWeights,
  expectedAttachmentWeights,
  liveAttachmentWeights,
  type PreparedWeightChange,
  prepareAttachmentWeights,
} from './attachment-weights.js';
import { recheckGateBeforeDrain } from './gate-step.js';
import { holdAndJudge, inconclusiveNote, rampDecision, rampRule } from './ramp-hold.js';
import { recordHold } from './ramp-journal.js';
import { forgetSavedWeight, saveWeight } from './saved-weight.js';
import { servingOutsidePlan } from './unplanned-attachments.js';

type DrainStep = Extract<Step, { action: 'node.drain' }>;
type RestoreStep = Extract<Step, { action: 'node.restore' }>;

export async function runFleetDrain(
  ctx: RunContext,
  step: DrainStep,
  attachments: readonly PlanAttachment[],
): Promise<StepOutcome> {
  const { serverId } = step.params;
  const node = step.node ?? serverId;
  await ctx.drainTurns.waitTurn(node);
  let written: string[] = [];
  // Decided and journaled under the gate mutex; the weight-0 calls go after it, so drains decided
  // one after the other can share a call per group (attachment-weights.ts).
  const decided = await ctx.gateMutex.run(async (): Promise<StepOutcome | DrainDecided> => {
    const done = (a: PlanAttachment) =>
      ctx.state.completedOps.has(`${step.id}@${attachmentKey(a)}`);
    if (attachments.every(done)) return ok('weight already 0 on every attachment');
    if (ctx.control.stopRequested)
      return stopped('the rollout is stopping: no further node leaves service');
    await ctx.checkLocks(`the drain of ${node}`, undefined, node);
    // The weights it comes back to first: however long the tag writes take (each retried), the
    // window, the weights and the health weight 0 is decided on are read after them.
    const back = weightsToComeBack(ctx, node, serverId, attachments);
    if (typeof back === 'string') return failed('drift', back);
    const saved = await saveDefaultGroupWeights(ctx, node, serverId, back);
    if (!Array.isArray(saved)) return saved;
    written = saved;
    let outcome: StepOutcome | DrainDecided;
    try {
      outcome = await decideAndDrain(ctx, step, attachments, done);
    } catch (error) {
      if (!(error instanceof FatalRunError))
        await forgetUnlessDraining(ctx, step, serverId, attachments, written);
      throw error;
    }
    if ('status' in outcome && outcome.status !== 'ok')
      await forgetUnlessDraining(ctx, step, serverId, attachments, written);
    return outcome;
  });
  if ('status' in decided) return decided;
  // Decided: the next node of the batch may decide its own while these calls wait for theirs.
  ctx.drainTurns.decide(node);
  try {
    await applyAttachmentWeights(ctx, decided.prepared);
  } catch (error) {
    if (!(error instanceof FatalRunError))
      await forgetUnlessDraining(ctx, step, serverId, attachments, written);
    throw error;
  }
  const { before } = decided.prepared;
  const from = attachments
    .map((a) => `${a.label} ${before.get(attachmentKey(a)) ?? '(done before)'}`)
    .join('; ');
  return ok(`weight → 0 on ${attachments.length} attachment(s): ${from}`);
}

/** A drain the gate let through, its intents journaled, its calls still to send. */
interface DrainDecided {
  prepared: PreparedWeightChange;
}

/** The window, drift (planned or not) and the gate, then weight 0 journaled: nothing slow in between. */
async function decideAndDrain(
  ctx: RunContext,
  step: DrainStep,
  attachments: readonly PlanAttachment[],
  done: (a: PlanAttachment) => boolean,
): Promise<StepOutcome | DrainDecided> {
  const { serverId } = step.params;
  const node = step.node ?? serverId;
  if (ctx.control.stopRequested || (await haltAtDrainsEnd(ctx)))
    return stopped('the rollout is stopping: no further node leaves service');
  const drift = await attachmentDrift(
    ctx,
    serverId,
    attachments.filter((a) => !done(a)),
  );
  drift.push(...(await servingOutsidePlan(ctx, serverId, attachments)));
  if (drift.length > 0) {
    return failed(
      'drift',
      `an attachment drifted from the plan, nothing changed: ${drift.join('; ')}`,
      { drift },
    );
  }
  const blocked = await recheckGateBeforeDrain(ctx, step, node);
  if (blocked !== undefined) return blocked;
  await ctx.moveNode(node, 'draining');
  const prepared = await prepareAttachmentWeights(ctx, {
    step: step.id,
    opId: step.id,
    node,
    serverId,
    attachments,
    to: () => 0,
  });
  if (!prepared.ok)
    return failed('drift', `the drain stopped: ${prepared.drift}`, { drift: [prepared.drift] });
  return { prepared };
}

/**
 * The weight each default server group gives the server back: the one recorded before this
 * run's earlier drain of it, else the one this run expects it to have now (which the drift check
 * before weight 0 then demands). A reason instead when the run expects more than one.
 */
function weightsToComeBack(
  ctx: RunContext,
  node: string,
  serverId: string,
  attachments: readonly PlanAttachment[],
): Map<string, number> | string {
  const originals = ctx.state.nodes.get(node)?.originalWeights;
  const back = new Map<string, number>();
  for (const a of attachments) {
    if (a.vServerGroupId !== undefined) continue;
    const recorded = originals?.[attachmentKey(a)];
    if (recorded !== undefined && recorded > 0) {
      back.set(a.loadBalancerId, recorded);
      continue;
    }
    const expected = expectedAttachmentWeights(ctx.state, serverId, a);
    if (expected.length !== 1)
      return `cannot tell which weight ${serverId} comes back to in ${a.label} (this run expects ${expected.join(' or ')}): not drained, nothing changed`;
    back.set(a.loadBalancerId, expected[0] ?? 0);
  }
  return back;
}

/**
 * A drain decided against leaves no saved weight behind on a server that serves (this run
 * expects a weight above 0 everywhere and sent no weight change); one out of service keeps it:
 * that is where it goes back to.
 */
async function forgetUnlessDraining(
  ctx: RunContext,
  step: DrainStep,
  serverId: string,
  attachments: readonly PlanAttachment[],
  written: readonly string[],
): Promise<void> {
  const node = step.node ?? serverId;
  const begun = attachments.some((a) => {
    const op = `${step.id}@${attachmentKey(a)}`;
    return ctx.state.pendingIntents.has(op) || ctx.state.completedOps.has(op);
  });
  const serving = attachments.every((a) =>
    expectedAttachmentWeights(ctx.state, serverId, a).every((w) => w > 0),
  );
  if (begun || !serving) return;
  for (const loadBalancerId of written) {
    await forgetSavedWeight(ctx, { loadBalancerId, serverId, node }, `${serverId} was not drained`);
  }
}

/**
 * Before weight 0: the weight each balancer's default group gives the server back, saved as that
 * balancer's tag (the same tag a plan of one balancer reads, saved-weight.ts), so any later run
 * on it finds where the server goes back to. vServer group weights are kept in the journal only.
 * A tag that cannot be written stops the drain, nothing changed (tags written are taken back).
 * The balancers whose tag was written, or the failed outcome.
 */
async function saveDefaultGroupWeights(
  ctx: RunContext,
  node: string,
  serverId: string,
  back: ReadonlyMap<string, number>,
): Promise<string[] | StepOutcome> {
  const written: string[] = [];
  for (const [loadBalancerId, weight] of back) {
    if (weight === 0) continue;
    try {
      await saveWeight(ctx, { loadBalancerId, serverId, node }, weight, undefined);
      written.push(loadBalancerId);
    } catch (error) {
      if (error instanceof FatalRunError) throw error;
      for (const id of written) {
        await forgetSavedWeight(
          ctx,
          { loadBalancerId: id, serverId, node },
          `${serverId} was not drained`,
        );
      }
      return failed(
        'error',
        `could not save ${weight} as the weight ${serverId} comes back to on ${loadBalancerId} (tag ${savedWeightKey(serverId)}): ${message(error)}; not drained, nothing changed`,
      );
    }
  }
  return written;
}

/** Once the server is back at each weight: the tags saved before its drain go. */
export async function forgetDefaultGroupWeights(
  ctx: RunContext,
  node: string,
  serverId: string,
  attachments: readonly PlanAttachment[],
  why: string,
): Promise<string[]> {
  const done: string[] = [];
  for (const a of attachments) {
    if (a.vServerGroupId !== undefined) continue;
    done.push(
      await forgetSavedWeight(ctx, { loadBalancerId: a.loadBalancerId, serverId, node }, why),
    );
  }
  return done;
}

/** What differs from this run's expectations on the attachments, read live; empty: nothing. */
async function attachmentDrift(
  ctx: RunContext,
  serverId: string,
  attachments: readonly PlanAttachment[],
): Promise<string[]> {
  const live = await liveAttachmentWeights(ctx, serverId, attachments);
  const drift: string[] = [];
  for (const a of attachments) {
    const weight = live.get(attachmentKey(a));
    const expected = expectedAttachmentWeights(ctx.state, serverId, a);
    if (weight === undefined) drift.push(`${serverId} is not in ${a.label}`);
    else if (!expected.includes(weight))
      drift.push(
        `weight of ${serverId} in ${a.label} is ${weight}, expected ${expected.join(' or ')}`,
      );
  }
  return drift;
}

/**
 * The ramp's percentages, ascending, ending at 100; each attachment's weight at a percentage is
 * at least 1 while ramping and exactly its recorded weight at 100.
 */
export function fleetRampPercents(percents: readonly number[]): number[] {
  return [...new Set([...percents.filter((p) => p > 0 && p < 100), 100])].sort((a, b) => a - b);
}

export function levelAt(base: number, percent: number): number {
  if (base <= 0) return 0;
  return percent >= 100 ? base : Math.min(base, Math.max(1, Math.round((base * percent) / 100)));
}

export async function runFleetRestore(
  ctx: RunContext,
  step: RestoreStep,
  attachments: readonly PlanAttachment[],
): Promise<StepOutcome> {
  const { serverId, rampPercent, holdSeconds } = step.params;
  const { budget, policy } = rampRule(step.params);
  const node = step.node ?? serverId;
  const record = ctx.state.nodes.get(node);
  const originals = record?.originalWeights;
  if (originals === undefined) {
    return ok(`the weights of ${serverId} were never changed by this run; nothing to restore`);
  }
  const baseOf = (a: PlanAttachment) => originals[attachmentKey(a)] ?? a.weight;
  await ctx.moveNode(node, 'restoring');
  const percents = fleetRampPercents(rampPercent);
  const probeConfig = step.params.probe;
  const probe =
    probeConfig.kind === 'none' ? undefined : await ctx.ports.trafficProbes(node, probeConfig);
  try {
    for (const percent of percents) {
      // A fleet restore's passed holds are kept by percent (weights differ per attachment).
      if (record?.rampPassed.some((r) => r.step === step.id && r.weight === percent)) continue;
      // Not under the gate mutex: raising a weight cannot breach a gate, and a gate deciding
      // meanwhile counts this server at the lower of its read and intended weights
      // (fleet-gate.ts). So ramps do not queue behind drain decisions, and share calls.
      const prepared = await prepareAttachmentWeights(ctx, {
        step: step.id,
        opId: `${step.id}#p${percent}`,
        node,
        serverId,
        attachments,
        to: (a) => levelAt(baseOf(a), percent),
      });
      if (!prepared.ok) {
        return failed(
          'drift',
          `stopped the ramp, a weight is not ours any more: ${prepared.drift}`,
        );
      }
      await applyAttachmentWeights(ctx, prepared);
      const verdict = await holdAndJudge(ctx.ports.clock, probe, budget);
      const { sample } = verdict;
      const decision = rampDecision(verdict, policy);
      const unproven = inconclusiveNote(verdict, budget, policy);
      const levels = attachments.map((a) => `${a.label} ${levelAt(baseOf(a), percent)}`).join('; ');
      const detail =
        sample === undefined
          ? `held ${percent}% (${levels}) for ${holdSeconds}s (no probe)`
          : `${percent}% (${levels}): ${sample.errors5xx}/${sample.requests} 5xx${unproven === '' ? '' : `, ${unproven}`}`;
      await recordHold(ctx, step, node, decision, detail, {
        weight: percent,
        percent,
        ...(sample ?? {}),
      });
      if (decision === 'bad')
        return failed('bad-ramp', `5xx rate too high while restoring: ${detail}`);
      if (decision === 'unproven') return failed('unproven-ramp', `ramp not proven: ${detail}`);
    }
  } finally {
    await probe?.close();
  }
  const tags = await forgetDefaultGroupWeights(
    ctx,
    node,
    serverId,
    attachments,
    `${serverId} is back at its weights`,
  );
  return ok(
    `restored on ${attachments.length} attachment(s): ${attachments.map((a) => `${a.label} ${baseOf(a)}`).join('; ')}${tags.length === 0 ? '' : `; ${tags.join('; ')}`}`,
  );
}
