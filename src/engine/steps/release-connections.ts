/**
 * Letting a node's keep-alive connections go once it is at weight 0: the workflow's
 * `drain.releaseConnections` command (`nginx -s reload`) through the node's Host, journaled like
 * every command. Weight 0 stops new connections only; without it a keep-alive client stays on
 * the node until the server's own limits close its connection (nginx: 1000 requests, or 75 s
 * idle). It runs right after the drain (its own step) and after the failure policy pulls a node
 * back from its ramp (weight-compensations.ts). A command that fails fails nothing: the node is
 * out of service either way, and its connections end by themselves, as without the command —
 * the drain's probe waits for that.
 */
import type { ReleaseConnections, Step } from '../../plan/types.js';
import type { CommandResult } from '../../ports/index.js';
import { FatalRunError, message } from '../engine-errors.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { ok } from '../execution/run-context.js';
import type { Compensates } from '../journal/entries.js';
import { describeResult } from '../policy/command-result.js';
import { mutatingCommand, succeeded, tail } from './host-steps.js';

type ReleaseStep = Extract<Step, { action: 'node.release-connections' }>;

export async function runReleaseConnections(
  ctx: RunContext,
  step: ReleaseStep,
): Promise<StepOutcome> {
  const released = await releaseConnections(ctx, step, step.params, step.id);
  return ok(released.detail, released.data);
}

/**
 * Run `release` for `step`'s node as the journaled operation `opId` (once: not again after a
 * crash once its result is journaled). Never fails: a command that does not succeed is a
 * warning in the journal and the report, and the detail says what it means.
 */
export async function releaseConnections(
  ctx: RunContext,
  step: Step,
  release: ReleaseConnections,
  opId: string,
  compensates?: Compensates,
): Promise<{ detail: string; data?: Record<string, unknown> }> {
  const node = step.node ?? '';
  const command = `\`${release.command}\``;
  if (ctx.state.completedOps.has(opId)) {
    return { detail: `${command} ran on ${node} already (journaled)` };
  }
  let result: CommandResult | undefined;
  let error: unknown;
  try {
    result = await mutatingCommand(
      ctx,
      step,
      opId,
      release.host,
      release.command,
      release.timeoutSeconds,
      compensates,
    );
  } catch (caught) {
    // A journal that cannot be written or a lost lock stops the run; anything else (the cloud
    // API refused or gave up) is a command that did not run as asked.
    if (caught instanceof FatalRunError) throw caught;
    error = caught;
  }
  if (result !== undefined && succeeded(result)) {
    return {
      detail: `${command} ran on ${node}, at weight 0: ${describeResult(result)}`,
      data: { exitCode: result.exitCode, output: tail(result.output) },
    };
  }
  const why = result === undefined ? message(error) : describeResult(result);
  const detail = `${command} failed on ${node} (${why}): its keep-alive connections were not let go and end by themselves, at the server's keep-alive limits`;
  await ctx.record({ type: 'note', node, step: step.id, message: detail, warning: true });
  return {
    detail,
    ...(result === undefined
      ? {}
      : { data: { exitCode: result.exitCode, output: tail(result.output) } }),
  };
}
