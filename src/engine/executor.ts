/**
 * The executor: runs exactly the plan, in the order of the runbook `drainctl plan` printed.
 *
 *   prepare (balancer, listeners, backends, path, DNS cutover)
 *   for each batch, each node of it concurrently, one sequence per node:
 *     window → gate → drain → wait drained → patch → reboot → wait healthy → verify → restore
 *   finish
 *
 * Steps already completed (a resumed run) are skipped; a stop ends the rollout with every node
 * serving or reported. The outcome is journaled as `halt` (why) and `done`.
 */
import type { Step } from '../plan/types.js';
import type { RunOutcome } from './journal/entries.js';
import { finishNode, runNode } from './node-runner.js';
import type { RunContext } from './run-context.js';
import { executeStep } from './run-step.js';
import { pointRecord } from './steps/dns-steps.js';

export async function executePlan(ctx: RunContext): Promise<RunOutcome> {
  await learnBalancerAddress(ctx);
  const prepared = await runPhase(ctx, 'prepare');
  if (prepared) {
    for (const batch of [...ctx.state.plan.batches].sort((a, b) => a.index - b.index)) {
      if (ctx.control.stopRequested) break;
      await runBatch(ctx, batch.index);
    }
  }
  if (!ctx.control.stopRequested) await runPhase(ctx, 'finish');
  return conclude(ctx);
}

/** Prepare and finish steps run one after the other; a failure halts the run. */
async function runPhase(ctx: RunContext, phase: 'prepare' | 'finish'): Promise<boolean> {
  for (const step of ctx.state.plan.steps.filter((s) => s.phase === phase)) {
    if (ctx.state.completedSteps.has(step.id)) continue;
    if (ctx.control.stopRequested) return false;
    const outcome = await executeStep(ctx, step);
    if (outcome.status === 'ok') continue;
    if (outcome.status === 'failed') {
      await ctx.stop(
        'halt',
        `${phase} step ${step.index} (${step.action}) failed: ${outcome.detail}`,
      );
      if (phase === 'prepare') await rollBackCutover(ctx);
    }
    return false;
  }
  return true;
}

function batchOf(ctx: RunContext, step: Step): number {
  return step.batch ?? ctx.state.plan.nodes.find((n) => n.id === step.node)?.batch ?? 0;
}

/**
 * A batch's steps in plan order: node steps run concurrently, one sequence per node; a step
 * without a node (a wait between nodes) is a barrier between them.
 */
async function runBatch(ctx: RunContext, batch: number): Promise<void> {
  const steps = ctx.state.plan.steps.filter(
    (s) => s.phase === 'rollout' && batchOf(ctx, s) === batch,
  );
  let segment: Step[] = [];
  const flush = async () => {
    const byNode = new Map<string, Step[]>();
    for (const s of segment) byNode.set(s.node ?? '', [...(byNode.get(s.node ?? '') ?? []), s]);
    await Promise.all([...byNode].map(([node, nodeSteps]) => runNode(ctx, node, nodeSteps)));
    segment = [];
  };
  for (const step of steps) {
    if (step.node !== undefined) {
      segment.push(step);
      continue;
    }
    await flush();
    if (ctx.control.stopRequested || ctx.state.completedSteps.has(step.id)) continue;
    const outcome = await executeStep(ctx, step);
    if (outcome.status === 'failed')
      await ctx.stop('halt', `step ${step.index} failed: ${outcome.detail}`);
  }
  await flush();
  const nodes = new Set(steps.flatMap((s) => (s.node === undefined ? [] : [s.node])));
  for (const node of nodes) {
    await finishNode(
      ctx,
      node,
      steps.filter((s) => s.node === node),
    );
  }
}

/**
 * A prepare step failed after the DNS record was moved: point it back, so clients keep reaching
 * the service the way they did before the run. The balancer and listeners stay (they carry no
 * traffic without the record, and a re-run finds them again by name).
 */
async function rollBackCutover(ctx: RunContext): Promise<void> {
  const points = ctx.state.plan.steps.filter(
    (s): s is Extract<Step, { action: 'dns.point' }> =>
      s.action === 'dns.point' && s.phase === 'prepare' && ctx.state.completedOps.has(s.id),
  );
  for (const step of points.reverse()) {
    const from = step.params.from;
    if (from === undefined) continue;
    const current = step.params.recordId
      ? await ctx.ports.dns.getRecord(step.params.recordId)
      : (await ctx.ports.dns.findRecords(step.params.domain, step.params.rr, step.params.type))[0];
    await pointRecord(
      ctx,
      step,
      current,
      {
        domain: step.params.domain,
        rr: step.params.rr,
        type: step.params.type,
        value: from.value,
        ttl: from.ttl,
        ...(current ? { recordId: current.recordId } : {}),
      },
      `${step.id}#rollback`,
    );
    await ctx.record({
      type: 'note',
      message: `DNS ${step.params.rr}.${step.params.domain} pointed back to ${from.value} because the preparation failed`,
    });
  }
}

/** The address of an existing balancer is read once (steps may refer to it). */
async function learnBalancerAddress(ctx: RunContext): Promise<void> {
  const { refs } = ctx.state;
  if (refs.loadBalancerAddress !== undefined || refs.loadBalancerId === undefined) return;
  const usesAddress = JSON.stringify(ctx.state.plan.steps).includes('"loadBalancer.address"');
  if (!usesAddress) return;
  const info = await ctx.ports.loadBalancer.describe(refs.loadBalancerId);
  refs.loadBalancerAddress = info.address;
}

async function conclude(ctx: RunContext): Promise<RunOutcome> {
  const nodes = [...ctx.state.nodes.values()];
  const notDone = nodes.filter((n) => n.state !== 'done' || n.outcome !== undefined);
  const leftOut = nodes.filter((n) => n.state === 'left-out');
  const stopped = ctx.control.stopRequested;
  const outcome: RunOutcome = stopped || notDone.length > 0 ? 'halted' : 'completed';
  if (outcome === 'halted' && ctx.state.halt === undefined) {
    const reason = `${notDone.length} node(s) not done: ${notDone.map((n) => `${n.name} ${n.state}`).join(', ')}`;
    await ctx.record({ type: 'halt', reason });
  }
  const summary =
    outcome === 'completed'
      ? `all ${nodes.length} node(s) done`
      : `halted: ${ctx.control.reason ?? 'not every node is done'}${
          leftOut.length > 0
            ? `; left out of service: ${leftOut.map((n) => `${n.name} (${n.id}, ${n.reason})`).join(', ')}`
            : ''
        }`;
  await ctx.record({ type: 'done', outcome, summary });
  await ctx.notify({ kind: outcome === 'completed' ? 'done' : 'halted', message: summary });
  return outcome;
}
