/**
 * The canary's bake (src/plan/bake-step.ts): hold while the whole balancer is watched — every
 * server's access log as one window each, their tallies (5xx, request times) judged together and
 * the canary's alone after every read (bake-judgement.ts),
 * and the balancer's health view of every serving backend every few seconds. The first limit
 * crossed ends the bake at once, failed; the executor then rolls the canary back.
 */
import type { Step } from '../../plan/types.js';
import type { ErrorRateSample, TrafficProbe } from '../../ports/index.js';
import { resolveRef } from '../execution/refs.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok, stopped } from '../execution/run-context.js';
import { isStop } from '../execution/run-control.js';
import { judgeBake } from './bake-judgement.js';

type BakeStep = Extract<Step, { action: 'canary.bake' }>;

export async function runBake(ctx: RunContext, step: BakeStep): Promise<StepOutcome> {
  const { seconds, max5xxRate, minRequests, maxLatencyMs, watch, healthPollSeconds } = step.params;
  const limits = {
    max5xxRate,
    minRequests,
    ...(maxLatencyMs === undefined ? {} : { maxLatencyMs }),
  };
  const loadBalancerId = String(resolveRef(step.params.loadBalancerId, ctx.state));
  const until = new Date(ctx.ports.clock.now() + seconds * 1000).toISOString();
  const tallies = new Map<string, ErrorRateSample>();
  let failure: string | undefined;
  const judge = () => {
    failure ??= judgeBake(tallies, step.params.canary, limits).failure;
    return failure !== undefined;
  };
  const latencyLimit =
    maxLatencyMs === undefined ? 'latency not judged' : `p95 request time limit ${maxLatencyMs} ms`;
  // Under each canary node, as status and the live view show a long wait: what is watched,
  // and (every half minute) how it stands.
  const tell = async (standing: string) => {
    for (const node of step.params.canary) {
      await ctx.record({
        type: 'note',
        step: step.id,
        node,
        waiting: true,
        message: `baking the canary until ${until.slice(11, 19)}: ${watch.length} access log(s), 5xx limit ${pct(max5xxRate)}, ${latencyLimit}, and the balancer's health view; ${standing}`,
      });
    }
  };
  await tell('just begun');
  const ended = new AbortController();
  // An abort cuts the bake short: the canary is back and proven, it stays in service.
  const signal = AbortSignal.any([ended.signal, ctx.control.signal]);
  const probes: TrafficProbe[] = [];
  try {
    for (const w of watch) probes.push(await ctx.ports.trafficProbes(w.serverId, w.probe));
    const health = watchHealth(
      ctx,
      step,
      loadBalancerId,
      healthPollSeconds,
      signal,
      (why) => {
        failure ??= why;
      },
      async (normal) => {
        const { summary } = judgeBake(tallies, step.params.canary, limits);
        await tell(
          `so far ${summary}, ${normal ? 'every serving backend normal' : 'a backend reported abnormal once'}`,
        );
      },
    );
    const logs =
      probes.length === 0
        ? sleepUnless(ctx, seconds, signal, () => failure !== undefined)
        : Promise.all(
            probes.map((probe, i) =>
              probe.measureErrorRate({
                seconds,
                signal: ctx.control.signal,
                stopWhen: (soFar) => {
                  tallies.set(watch[i]?.serverId ?? String(i), soFar);
                  return judge();
                },
              }),
            ),
          ).then((samples) => {
            samples.forEach((sample, i) => {
              tallies.set(watch[i]?.serverId ?? String(i), sample);
            });
            judge();
          });
    await logs;
    ended.abort();
    await health;
  } catch (error) {
    if (isStop(error) || ctx.control.abortRequested) {
      return stopped('stop requested during the bake: the canary stays in service');
    }
    throw error;
  } finally {
    ended.abort();
    await Promise.all(probes.map((probe) => probe.close()));
  }
  if (ctx.control.abortRequested) {
    return stopped('stop requested during the bake: the canary stays in service');
  }
  const { standing: sum, summary: seen } = judgeBake(tallies, step.params.canary, limits);
  const data = {
    requests: sum.requests,
    errors5xx: sum.errors5xx,
    rate: sum.rate,
    ...(maxLatencyMs === undefined || sum.p95Ms === undefined
      ? {}
      : { timedRequests: sum.timed, p95Ms: sum.p95Ms }),
  };
  await ctx.record({
    type: 'probe',
    step: step.id,
    kind: 'error-rate',
    outcome: failure === undefined ? 'passed' : 'failed',
    detail: `bake: ${seen}${failure === undefined ? '' : `; ${failure}`}`,
    data,
  });
  return failure === undefined
    ? ok(
        `the canary baked ${seconds}s within its limits: ${seen}; the balancer's health view stayed normal`,
        data,
      )
    : failed('bad-bake', `the canary's bake failed: ${failure}`, data);
}

/** Reads the balancer's health view until `signal`; a serving backend abnormal twice fails. */
async function watchHealth(
  ctx: RunContext,
  step: BakeStep,
  loadBalancerId: string,
  pollSeconds: number,
  signal: AbortSignal,
  fail: (why: string) => void,
  report: (normal: boolean) => Promise<void>,
): Promise<void> {
  const reportEvery = Math.max(1, Math.round(30 / pollSeconds));
  let polls = 0;
  const watched = new Set(step.params.watch.map((w) => w.serverId));
  for (const id of ctx.state.plan.nodes.map((n) => n.id)) watched.add(id);
  const abnormalBefore = new Set<string>();
  while (!signal.aborted) {
    try {
      await ctx.ports.clock.sleep(pollSeconds * 1000, signal);
    } catch (error) {
      if (signal.aborted || isStop(error)) return;
      throw error;
    }
    const [health, backends] = await Promise.all([
      ctx.ports.loadBalancer.healthStatus(loadBalancerId),
      ctx.ports.loadBalancer.listBackends(loadBalancerId),
    ]);
    const serving = new Set(backends.filter((b) => b.weight > 0).map((b) => b.serverId));
    const abnormal = new Set(
      health
        .filter(
          (h) => h.health === 'abnormal' && serving.has(h.serverId) && watched.has(h.serverId),
        )
        .map((h) => h.serverId),
    );
    const twice = [...abnormal].filter((id) => abnormalBefore.has(id));
    if (twice.length > 0) {
      fail(`the balancer reports ${twice.join(', ')} abnormal while serving`);
      return;
    }
    abnormalBefore.clear();
    for (const id of abnormal) abnormalBefore.add(id);
    polls += 1;
    if (polls % reportEvery === 0 && !signal.aborted) await report(abnormal.size === 0);
  }
}

/** Without an access log to read: wait out the bake, ending early once `failedYet`. */
async function sleepUnless(
  ctx: RunContext,
  seconds: number,
  signal: AbortSignal,
  failedYet: () => boolean,
) {
  const deadline = ctx.ports.clock.now() + seconds * 1000;
  while (!failedYet() && !signal.aborted && ctx.ports.clock.now() < deadline) {
    await ctx.ports.clock.sleep(Math.min(1000, deadline - ctx.ports.clock.now()), signal);
  }
}

function pct(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}
