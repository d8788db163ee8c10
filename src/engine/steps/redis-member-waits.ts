/**
 * What the `redis.*` steps share: the node's connection options, the wait that asks until an
 * answer is good (journaling each new answer as a waiting note, as gates do), and the judgement
 * "every node of the cluster reports cluster_state:ok".
 */
import type { RedisMemberTarget, Step } from '../../plan/types.js';
import type { RedisConnectOptions, RedisMemberClient } from '../../ports/index.js';
import { message } from '../engine-errors.js';
import type { RunContext } from '../execution/run-context.js';
import { isStop } from '../execution/run-control.js';

export function connectOptions(target: RedisMemberTarget): RedisConnectOptions {
  return {
    ...(target.password === undefined ? {} : { password: target.password }),
    timeoutMs: target.commandTimeoutSeconds * 1000,
    ...(target.sentinel === undefined ? {} : { sentinel: target.sentinel }),
  };
}

export type Answer = { done: boolean; detail: string };

export type WaitEnd =
  | { kind: 'done'; detail: string; seconds: number }
  | { kind: 'timeout'; detail: string; seconds: number }
  | { kind: 'stopped' };

/**
 * Ask until the answer is done or `timeoutMs` has passed. A question that throws is an answer
 * that is not done (a node restarting does not answer for a while).
 */
export async function waitUntil(
  ctx: RunContext,
  step: Step,
  what: string,
  timing: { intervalMs: number; timeoutMs: number },
  question: () => Promise<Answer>,
): Promise<WaitEnd> {
  const { clock } = ctx.ports;
  const started = clock.monotonic();
  let told: string | undefined;
  for (;;) {
    if (ctx.control.stopRequested) return { kind: 'stopped' };
    let answer: Answer;
    try {
      answer = await question();
    } catch (error) {
      answer = { done: false, detail: `cannot be asked: ${message(error)}` };
    }
    const seconds = Math.round((clock.monotonic() - started) / 1000);
    if (answer.done) return { kind: 'done', detail: answer.detail, seconds };
    if (clock.monotonic() + timing.intervalMs > started + timing.timeoutMs)
      return { kind: 'timeout', detail: answer.detail, seconds };
    if (answer.detail !== told) {
      told = answer.detail;
      await ctx.record({
        type: 'note',
        ...(step.node === undefined ? {} : { node: step.node }),
        step: step.id,
        waiting: true,
        message: `waiting for ${what}: ${answer.detail}`,
      });
    }
    try {
      await clock.sleep(timing.intervalMs, ctx.control.signal);
    } catch (error) {
      if (isStop(error)) return { kind: 'stopped' };
      throw error;
    }
  }
}

/** Every node `CLUSTER NODES` of `address` lists answers cluster_state:ok itself. */
export async function clusterOkEverywhere(
  redis: RedisMemberClient,
  address: string,
  options: RedisConnectOptions,
): Promise<Answer> {
  const nodes = await redis.clusterNodes(address, options);
  const notOk = (
    await Promise.all(
      nodes.map(async (node) => {
        try {
          const state = (await redis.status(node.address, options)).clusterState;
          return state === 'ok' ? undefined : `${node.address} cluster_state:${state}`;
        } catch (error) {
          return `${node.address} does not answer (${message(error)})`;
        }
      }),
    )
  ).filter((problem) => problem !== undefined);
  return notOk.length === 0
    ? { done: true, detail: `cluster_state:ok on all ${nodes.length} nodes` }
    : { done: false, detail: notOk.join('; ') };
}
