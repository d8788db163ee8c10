/**
 * Cloud Assistant's per-instance invocation statuses (aliyun-facts.md §6) → the Host port's
 * CommandStatus. Pure.
 */
import type { CommandResult, CommandStatus } from '../../../ports/index.js';
import type { InvocationResult } from './ecs-wire.js';

const FINAL: Readonly<Record<string, CommandStatus>> = {
  Success: 'success',
  Failed: 'failed',
  Timeout: 'timeout',
  Error: 'error',
  Invalid: 'error',
  Cancelled: 'cancelled',
  Terminated: 'cancelled',
  Aborted: 'cancelled',
  Stopped: 'cancelled',
};

/** The command's result once it has ended, or undefined while it is still pending or running. */
export function commandResultOf(
  result: InvocationResult,
  invocationId: string,
): CommandResult | undefined {
  const status = result.invocationStatus === undefined ? undefined : FINAL[result.invocationStatus];
  const finished = result.invokeRecordStatus === 'Finished';
  if (status === undefined && !finished) return undefined;
  const final = status ?? 'error';
  const out: CommandResult = {
    status: final,
    // Only a command that ran to its end has an exit code worth reporting.
    exitCode:
      (final === 'success' || final === 'failed') && result.exitCode != null
        ? result.exitCode
        : null,
    output: decodeOutput(result.output),
    invocationId,
  };
  const info = [result.errorCode, result.errorInfo].filter((s) => s).join(': ');
  if (info !== '') out.errorInfo = info;
  return out;
}

/** Output arrives Base64-encoded (we ask for ContentEncoding=Base64). */
export function decodeOutput(output: string | null | undefined): string {
  return output ? Buffer.from(output, 'base64').toString('utf8') : '';
}
