/**
 * Traffic is judged again right before a reboot. Weight 0 only stops the balancer: clients that
 * cached an old DNS answer, or have a second path to the server, can reach it directly while it
 * is patched, and a reboot would cut them off. The drain's probe stays open through the patch
 * (HeldProbes) and judges the whole time since the drain decision: nothing since → reboot at
 * once; real traffic since → wait until `quietSeconds` have passed without any, within the
 * drain's `timeoutSeconds` counted from the start of this judgement; after that the workflow's
 * `onTimeout` decides (halt: not rebooted; proceed: rebooted anyway, with a note). A resumed run
 * has no open probe: a fresh one must see a whole quiet period.
 */
import type { Step } from '../../plan/types.js';
import type { DrainOutcome, DrainProgress, TrafficProbe } from '../../ports/index.js';
import type { RunContext } from '../execution/run-context.js';
import { reportDrainProgress } from './drain-steps.js';

type RebootStep = Extract<Step, { action: 'node.reboot' }>;
type WaitDrainedStep = Extract<Step, { action: 'node.wait-drained' }>;

export type RebootTrafficJudgement =
  /** Reboot: quiet, nothing to judge, or the workflow says proceed. `waited`: it took time. */
  | { reboot: true; waited: boolean }
  | { reboot: false; waited: true; detail: string; data: Record<string, unknown> };

/** What the judgement's outcome means for the reboot. */
export function rebootDecision(
  outcome: DrainOutcome['outcome'],
  onTimeout: 'halt' | 'proceed',
): 'reboot' | 'reboot-anyway' | 'not-rebooted' {
  if (outcome === 'drained') return 'reboot';
  return onTimeout === 'proceed' ? 'reboot-anyway' : 'not-rebooted';
}

export interface JudgementFacts {
  outcome: DrainOutcome;
  probeKind: 'access-log' | 'connections';
  /** The drain's own probe, open since the drain decision (false: a fresh one, after a restart). */
  continued: boolean;
  /** A patch ran since the drain decision (else the reboot follows the drain directly). */
  patched: boolean;
  quietSeconds: number;
  timeoutSeconds: number;
}

/** The judgement in one line, for the journal, the report and `drainctl status`. */
export function describeJudgement(facts: JudgementFacts): string {
  const { outcome, quietSeconds, timeoutSeconds } = facts;
  const since = facts.patched ? 'during the patch' : 'since the drain';
  const waited = `waited ${Math.round(outcome.waitedSeconds)}s`;
  const connections = facts.probeKind === 'connections';
  if (outcome.outcome === 'timeout') {
    const still = connections
      ? `${outcome.final.connections ?? 'an unknown number of'} connection(s) still open ${timeoutSeconds}s later`
      : `${outcome.realRequests} real request(s) ${facts.continued ? 'since it was judged drained' : `in ${timeoutSeconds}s`}, still ${outcome.final.requestsPerSecond.toFixed(1)} req/s ${timeoutSeconds}s later (last real request ${outcome.lastRealRequestAt ?? 'unknown'})`;
    return `real traffic kept arriving ${since}: not rebooted; ${still}`;
  }
  if (!facts.continued) {
    return `fresh probe (the drain's did not outlive the restart): ${connections ? 'no connection open' : 'no real request'} for ${quietSeconds}s (${waited})`;
  }
  if (connections) {
    // The connection probe sets the time of the last busy count only when it saw one.
    return outcome.lastRealRequestAt === undefined
      ? 'no connection open right before the reboot'
      : `connections were open right before the reboot; none for ${quietSeconds}s again (${waited})`;
  }
  return outcome.realRequests === 0
    ? 'no real request since it was judged drained'
    : `${outcome.realRequests} real request(s) arrived ${since}; no real request for ${quietSeconds}s again (${waited})`;
}

/** What made the judgement wait: real traffic since the drain, or a probe opened afresh. */
function describeWaitStart(progress: DrainProgress, continued: boolean): string {
  if (!continued) {
    return "a fresh probe (the drain's did not outlive the restart) must see a whole quiet period";
  }
  if (progress.connections !== undefined) {
    return `${progress.connections} connection(s) open since it was judged drained`;
  }
  return `${progress.realRequests} real request(s) since it was judged drained, the last ${Math.floor(progress.quietSeconds)}s ago`;
}

/**
 * Judge the node's traffic right before its reboot is sent; journaled as a `probe` entry.
 *
 * @param signal cuts the wait short (it rejects with the stop): given only for a node whose
 *   host is untouched, which an abort puts back instead of rebooting
 */
export async function judgeTrafficBeforeReboot(
  ctx: RunContext,
  step: RebootStep,
  signal?: AbortSignal,
): Promise<RebootTrafficJudgement> {
  const node = step.node ?? '';
  const drained = ctx.state.plan.steps.find(
    (s): s is WaitDrainedStep => s.action === 'node.wait-drained' && s.node === node,
  );
  // `probe: none`: there is nothing to judge with (the runbook says so).
  if (drained === undefined || drained.params.probe.kind === 'none') {
    return { reboot: true, waited: false };
  }
  const { probe: config, quietSeconds, timeoutSeconds, onTimeout } = drained.params;
  const held = ctx.heldProbes.take(node);
  let probe: TrafficProbe | undefined = held;
  let outcome: DrainOutcome;
  const log = reportDrainProgress(ctx, node, quietSeconds);
  // Once it is clear that the judgement waits (not quiet yet), a note says so: the wait may last
  // a drain timeout, and `status` would otherwise show the node patching all along.
  let noting: Promise<unknown> | undefined;
  const noteWait = (progress: DrainProgress) => {
    if (noting !== undefined || progress.quietSeconds >= quietSeconds) return;
    noting = ctx
      .record({
        type: 'note',
        node,
        step: step.id,
        waiting: true,
        message: `waiting for quiet before the reboot: ${describeWaitStart(progress, held !== undefined)}; up to ${timeoutSeconds}s`,
      })
      .then(
        () => undefined,
        (error: unknown) => error ?? new Error('the note could not be journaled'),
      );
  };
  try {
    probe ??= await ctx.ports.trafficProbes(node, config);
    // A patched host is not let go by an abort: a reboot after quiet is its way back.
    outcome = await probe.waitForDrain({
      quietSeconds,
      timeoutSeconds,
      continueQuiet: held !== undefined,
      onProgress: (progress) => {
        log(progress);
        noteWait(progress);
      },
      ...(signal === undefined ? {} : { signal }),
    });
  } finally {
    await probe?.close();
    await noting;
  }
  // The note is journaled before the judgement's own entry; a journal that failed stops here.
  const noteFailed = await noting;
  if (noteFailed !== undefined) throw noteFailed;
  const detail = describeJudgement({
    outcome,
    probeKind: config.kind,
    continued: held !== undefined,
    patched: ctx.state.plan.steps.some((s) => s.action === 'node.patch' && s.node === node),
    quietSeconds,
    timeoutSeconds,
  });
  const data = {
    waitedSeconds: outcome.waitedSeconds,
    realRequests: outcome.realRequests,
    freshProbe: held === undefined,
    ...(outcome.lastRealRequestAt === undefined
      ? {}
      : { lastRealRequestAt: outcome.lastRealRequestAt }),
    ...(outcome.final.connections === undefined ? {} : { connections: outcome.final.connections }),
  };
  await ctx.record({
    type: 'probe',
    step: step.id,
    node,
    kind: 'drain',
    recheck: true,
    outcome: outcome.outcome,
    detail,
    data,
  });
  const decision = rebootDecision(outcome.outcome, onTimeout);
  if (decision === 'not-rebooted') return { reboot: false, waited: true, detail, data };
  if (decision === 'reboot-anyway') {
    await ctx.record({
      type: 'note',
      node,
      message: `the workflow says proceed on a drain timeout: rebooting ${node} anyway; ${detail}`,
    });
  }
  return { reboot: true, waited: outcome.waitedSeconds > 0 };
}
