/**
 * The NginxUpgrade port's calls as the journal keeps them — an intent, then what the call did or
 * why it failed — and the way back, the undo of the hot upgrade's steps.
 */
import { describeHost, hostInstanceId } from '../../plan/host-target.js';
import type { Step } from '../../plan/types.js';
import type { NginxUpgradeTarget } from '../../ports/index.js';
import { message } from '../engine-errors.js';
import type { Compensated, RunContext } from '../execution/run-context.js';
import type { Compensates } from '../journal/entries.js';

type UpgradeStep = Extract<Step, { action: 'node.nginx-upgrade' }>;

export function targetOf(ctx: RunContext, step: UpgradeStep): NginxUpgradeTarget {
  const { host } = step.params;
  return {
    host: ctx.ports.host(host),
    instanceId: hostInstanceId(host),
    name: `${step.node ?? hostInstanceId(host)} (${describeHost(host)})`,
  };
}

/** One port call as a journaled mutation: its intent, then what it did or why it failed. */
export async function journaled(
  ctx: RunContext,
  step: UpgradeStep,
  opId: string,
  to: Record<string, unknown>,
  call: () => Promise<string>,
  compensates?: Compensates,
): Promise<{ done: true; detail: string } | { done: false; error: string }> {
  const { host } = step.params;
  const node = step.node === undefined ? {} : { node: step.node };
  await ctx.record({
    type: 'intent',
    step: step.id,
    opId,
    op: 'nginx-upgrade',
    ...node,
    target: { instanceId: hostInstanceId(host), via: host.kind },
    before: {},
    to,
    ...(compensates === undefined ? {} : { compensates }),
  });
  let outcome: { done: true; detail: string } | { done: false; error: string };
  try {
    outcome = { done: true, detail: await call() };
  } catch (error) {
    outcome = { done: false, error: message(error) };
  }
  await ctx.record({
    type: 'result',
    step: step.id,
    opId,
    op: 'nginx-upgrade',
    ...node,
    applied: outcome.done,
    after: outcome.done ? { detail: outcome.detail } : { error: outcome.error },
  });
  return outcome;
}

/** The undo of every step before `quit-old`: the way back, whatever step it stopped at. */
export async function takeWayBack(
  ctx: RunContext,
  step: UpgradeStep,
  mark: Compensates,
): Promise<Compensated> {
  const port = ctx.ports.nginxUpgrade;
  if (port === undefined) return { kind: 'error', detail: 'this drainctl has no nginx upgrade' };
  const target = targetOf(ctx, step);
  const outcome = await journaled(
    ctx,
    step,
    `${step.id}#way-back`,
    { wayBack: true },
    () => port.wayBack(target, step.params.upgrade),
    mark,
  );
  return outcome.done
    ? { kind: 'undone', detail: outcome.detail }
    : { kind: 'error', detail: outcome.error };
}
