/**
 * Steps that run commands on a node: hooks, the baseline and verify commands, the patch, the
 * reboot (sent only once the node's traffic is judged again). Commands reach the machine through
 * the Host port the plan's target names (Cloud Assistant, SSH, the local shell); exit code and
 * decoded output go to the journal, redacted.
 */

import { redactString } from '../../log/index.js';
import { hostInstanceId } from '../../plan/host-target.js';
import type { HostTarget, Step } from '../../plan/types.js';
import type { CommandRequest, CommandResult } from '../../ports/index.js';
import type { RunContext, StepOutcome } from '../execution/run-context.js';
import { failed, ok, stopped } from '../execution/run-context.js';
import { isStop } from '../execution/run-control.js';
import type { Compensates } from '../journal/entries.js';
import { describeResult } from '../policy/command-result.js';
import { hostTouched } from '../policy/node-machine.js';
import { refusedBeforeRunning } from './command-refusal.js';
import { stillInService } from './out-of-service.js';
import { judgeTrafficBeforeReboot } from './reboot-traffic.js';

/** Output kept in the journal and reports: the end of it is what explains a failure. */
export const OUTPUT_KEEP_CHARS = 4000;

type HookStep = Extract<Step, { action: 'hook' }>;
type BaselineStep = Extract<Step, { action: 'node.capture-baseline' }>;
type PatchStep = Extract<Step, { action: 'node.patch' }>;
type RebootStep = Extract<Step, { action: 'node.reboot' }>;

export function tail(text: string): string {
  return text.length <= OUTPUT_KEEP_CHARS ? text : `…${text.slice(-OUTPUT_KEEP_CHARS)}`;
}

/**
 * Output as the journal and the reports keep it: masked whole, then cut to its tail. Cut
 * first, a secret straddling the cut would leave its end behind (`…r2-x9aaaa`), which the
 * journal's masking no longer recognises.
 */
export function keptOutput(text: string): string {
  return tail(redactString(text));
}

export function succeeded(result: CommandResult): boolean {
  return result.status === 'success' && result.exitCode === 0;
}

/**
 * Run one command as a journaled mutation (intent, command, result). `compensates`: the command
 * is part of undoing a step (steps/compensations.ts).
 */
export async function mutatingCommand(
  ctx: RunContext,
  step: Step,
  opId: string,
  target: HostTarget,
  script: string,
  timeoutSeconds: number,
  compensates?: Compensates,
): Promise<CommandResult> {
  const instanceId = hostInstanceId(target);
  const node = step.node === undefined ? {} : { node: step.node };
  await ctx.record({
    type: 'intent',
    step: step.id,
    opId,
    op: 'run-command',
    ...node,
    target: { instanceId, via: target.kind },
    before: {},
    to: { command: script, timeoutSeconds },
    ...(compensates === undefined ? {} : { compensates }),
  });
  const result = await ctx.ports.host(target).runCommand(instanceId, {
    script,
    timeoutSeconds,
    name: `drainctl ${step.id}`,
    ...scriptLanguage(target),
  });
  await ctx.record({
    type: 'result',
    step: step.id,
    opId,
    op: 'run-command',
    ...node,
    applied: true,
    after: {
      status: result.status,
      exitCode: result.exitCode,
      output: keptOutput(result.output),
      ...(result.errorInfo === undefined ? {} : { errorInfo: result.errorInfo }),
      ...(result.invocationId === undefined ? {} : { invocationId: result.invocationId }),
    },
  });
  return result;
}

export async function readOnlyCommand(
  ctx: RunContext,
  step: Step,
  target: HostTarget,
  script: string,
  timeoutSeconds: number,
): Promise<CommandResult> {
  return ctx.ports.host(target).runCommand(hostInstanceId(target), {
    script,
    timeoutSeconds,
    name: `drainctl ${step.id}`,
    ...scriptLanguage(target),
  });
}

/** The language the plan chose for the target's commands (PowerShell on a Windows instance). */
function scriptLanguage(target: HostTarget): Pick<CommandRequest, 'language'> {
  return target.kind === 'ecs' && target.language !== undefined
    ? { language: target.language }
    : {};
}

export async function runHook(ctx: RunContext, step: HookStep): Promise<StepOutcome> {
  const { host, command, timeoutSeconds, when } = step.params;
  const result = await mutatingCommand(ctx, step, step.id, host, command, timeoutSeconds);
  const data = { exitCode: result.exitCode, output: keptOutput(result.output) };
  return succeeded(result)
    ? ok(`${when}-hook ran: ${describeResult(result)}`, data)
    : failed('hook-failed', `${when}-hook failed: ${describeResult(result)}`, data);
}

export async function runCaptureBaseline(
  ctx: RunContext,
  step: BaselineStep,
): Promise<StepOutcome> {
  const { host, command, timeoutSeconds } = step.params;
  const result = await readOnlyCommand(ctx, step, host, command, timeoutSeconds);
  if (!succeeded(result)) {
    return failed(
      'baseline-failed',
      `baseline command "${command}" failed: ${describeResult(result)}`,
    );
  }
  const output = result.output.trim();
  return ok(`baseline: ${output}`, { output: keptOutput(output) });
}

export async function runPatch(ctx: RunContext, step: PatchStep): Promise<StepOutcome> {
  const node = step.node ?? '';
  const { host, commands, timeoutSeconds } = step.params;
  const exits: Array<number | null> = [];
  for (const [index, command] of commands.entries()) {
    const opId = `${step.id}#cmd${index + 1}`;
    if (ctx.state.completedOps.has(opId)) {
      // It ran before a crash and its result is journaled: a failure stays a failure.
      const earlier = journaledResult(ctx, opId);
      if (earlier !== undefined && !succeeded(earlier)) {
        return failed(
          'patch-failed',
          `patch command ${index + 1} "${command}" failed: ${describeResult(earlier)}`,
          { exitCode: earlier.exitCode, output: keptOutput(earlier.output) },
        );
      }
      continue;
    }
    // Before every command, including the first one of a resumed run: never patch a server
    // that someone has put back into service.
    const serving = await stillInService(ctx, node);
    if (serving !== undefined) return failed('drift', `patch not started: ${serving}`);
    // A command sent before (a crash left its intent open) may have run: its refusal now proves
    // nothing about the host.
    const firstAttempt =
      index === 0 && !ctx.journal.mutations.some((e) => e.type === 'intent' && e.opId === opId);
    await ctx.moveNode(node, 'patching');
    let result: CommandResult;
    try {
      result = await mutatingCommand(ctx, step, opId, host, command, timeoutSeconds);
    } catch (error) {
      if (firstAttempt && refusedBeforeRunning(error)) {
        return failed(
          'patch-refused',
          `patch command 1 was refused by the cloud API before anything ran on ${node}: ${error.message}`,
        );
      }
      return failed(
        'patch-failed',
        `patch command ${index + 1} could not be run: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    exits.push(result.exitCode);
    if (!succeeded(result)) {
      return failed(
        'patch-failed',
        `patch command ${index + 1} "${command}" failed: ${describeResult(result)}`,
        {
          exitCode: result.exitCode,
          output: keptOutput(result.output),
        },
      );
    }
  }
  await ctx.moveNode(node, 'patching');
  return ok(`${commands.length} patch command(s) succeeded`, { exitCodes: exits });
}

/** The command result journaled for `opId`, as the Host reported it. */
function journaledResult(ctx: RunContext, opId: string): CommandResult | undefined {
  const entry = ctx.journal.mutations.findLast((e) => e.type === 'result' && e.opId === opId);
  if (entry?.type !== 'result') return undefined;
  const after = entry.after as Partial<CommandResult>;
  return {
    status: after.status ?? 'error',
    exitCode: after.exitCode ?? null,
    output: after.output ?? '',
    ...(after.errorInfo === undefined ? {} : { errorInfo: after.errorInfo }),
  };
}

export async function runReboot(ctx: RunContext, step: RebootStep): Promise<StepOutcome> {
  const node = step.node ?? '';
  const { host: target, timeoutSeconds } = step.params;
  const host = ctx.ports.host(target);
  const instanceId = hostInstanceId(target);
  const timeoutMs = timeoutSeconds * 1000;
  const opId = step.id;
  if (!ctx.state.completedOps.has(opId)) {
    if (ctx.state.pendingIntents.has(opId)) {
      // Resumed after a crash between the reboot's intent and its result: we cannot know
      // whether it was sent. Let a reboot in flight finish, then reboot again: one extra reboot
      // of a node that is out of service anyway is the price of knowing the new kernel booted.
      try {
        await host.waitUntilRunning(instanceId, { timeoutMs });
      } catch (error) {
        return failed(
          'no-boot',
          `${node} is not running after ${timeoutSeconds}s: ${message(error)}`,
        );
      }
    }
    // Never reboot a server that someone has put back into service.
    const serving = await stillInService(ctx, node);
    if (serving !== undefined) return failed('drift', `reboot not sent: ${serving}`);
    // Nor one that real clients still reach past the balancer. A node no command has changed
    // yet (a reboot-only workflow) is still put back by an abort (§7), also from this wait.
    const untouched = !hostTouched(ctx.state.nodes.get(node)?.state ?? 'pending');
    let traffic: Awaited<ReturnType<typeof judgeTrafficBeforeReboot>>;
    try {
      traffic = await judgeTrafficBeforeReboot(
        ctx,
        step,
        untouched ? ctx.control.signal : undefined,
      );
    } catch (error) {
      if (isStop(error)) return stopped('stop requested before the reboot: not rebooted');
      throw error;
    }
    if (untouched && ctx.control.abortRequested) {
      return stopped('stop requested before the reboot: not rebooted');
    }
    if (traffic.waited) {
      // The wait gave someone time to put it back: the weight is read again right before.
      const servingNow = await stillInService(ctx, node);
      if (servingNow !== undefined) return failed('drift', `reboot not sent: ${servingNow}`);
    }
    if (!traffic.reboot) return failed('traffic-at-reboot', traffic.detail, traffic.data);
    await ctx.moveNode(node, 'rebooting');
    await ctx.record({
      type: 'intent',
      step: step.id,
      opId,
      op: 'reboot',
      node,
      target: { instanceId, via: target.kind },
      before: {},
      to: { rebooted: true },
    });
    await host.reboot(instanceId);
    await ctx.record({
      type: 'result',
      step: step.id,
      opId,
      op: 'reboot',
      node,
      applied: true,
      after: { rebootRequested: true },
    });
  }
  await ctx.moveNode(node, 'rebooting');
  try {
    const info = await host.waitUntilRunning(instanceId, { timeoutMs });
    return ok(`${node} is ${info.status} again`);
  } catch (error) {
    return failed(
      'no-boot',
      `${node} did not come back within ${timeoutSeconds}s: ${message(error)}`,
    );
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
