/**
 * Cloud Assistant's invocation statuses (docs/aliyun.md, "Cloud Assistant and ECS") → the Host
 * port's CommandStatus.
 * Every status that ends an invocation ends the wait with a clear result; only the statuses that
 * say it is still on its way keep drainctl polling, so no end is waited out until the timeout.
 * Pure.
 */
import type { CommandResult, CommandStatus } from '../../../ports/index.js';
import type { InvocationResult } from './ecs-wire.js';

/** Per-instance statuses, and the overall ones a response may carry instead (PartialFailed…). */
const FINAL: Readonly<Record<string, CommandStatus>> = {
  Success: 'success',
  Failed: 'failed',
  PartialFailed: 'failed',
  PartialFinished: 'failed',
  Timeout: 'timeout',
  Error: 'error',
  Invalid: 'error',
  Cancelled: 'cancelled',
  Terminated: 'cancelled',
  Aborted: 'cancelled',
  Stopped: 'cancelled',
};

/** Statuses of an invocation still on its way (Stopping: StopInvocation is being carried out). */
const PENDING = new Set(['Pending', 'Scheduled', 'Running', 'Stopping']);

/** The legacy record status (InvokeRecordStatus) when the invocation status says nothing. */
const RECORD_FINAL: Readonly<Record<string, CommandStatus>> = {
  Failed: 'error',
  Stopped: 'cancelled',
  PartialFinished: 'failed',
  Terminated: 'cancelled',
};

/** The command's result once it has ended, or undefined while it is still pending or running. */
export function commandResultOf(
  result: InvocationResult,
  invocationId: string,
): CommandResult | undefined {
  const verdict = verdictOf(result);
  if (verdict === undefined) return undefined;
  const { status: final, note } = verdict;
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
  const info = [result.errorCode, result.errorInfo, note].filter((s) => s).join(': ');
  if (info !== '') out.errorInfo = info;
  return out;
}

function verdictOf(result: InvocationResult): { status: CommandStatus; note?: string } | undefined {
  const status = result.invocationStatus ?? undefined;
  const record = result.invokeRecordStatus ?? undefined;
  if (status !== undefined && status !== '') {
    const final = FINAL[status];
    if (final !== undefined) return { status: final };
    if (!PENDING.has(status)) {
      // A status this version does not know: report it rather than wait out the timeout.
      return { status: 'error', note: `Cloud Assistant reported status ${status}` };
    }
  }
  if (record === 'Finished') {
    // Ended, but without a final invocation status: whether it worked is not known.
    return { status: 'error', note: `record Finished, invocation status ${status || 'missing'}` };
  }
  const recordFinal = record === undefined ? undefined : RECORD_FINAL[record];
  if (recordFinal !== undefined) return { status: recordFinal, note: `record status ${record}` };
  return undefined;
}

/** Output arrives Base64-encoded (we ask for ContentEncoding=Base64). */
export function decodeOutput(output: string | null | undefined): string {
  return output ? Buffer.from(output, 'base64').toString('utf8') : '';
}
