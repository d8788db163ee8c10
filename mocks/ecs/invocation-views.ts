/**
 * How invocations read in DescribeInvocations and DescribeInvocationResults: overall status from
 * the per-instance ones, the legacy *InvokeStatus fields, and Output/CommandContent in Base64
 * unless ContentEncoding=PlainText (the real default is Base64).
 */
import type { Invocation, InvocationInstance } from './store.js';

export type Encoding = 'PlainText' | 'Base64';

export function encode(text: string, encoding: Encoding): string {
  return encoding === 'Base64' ? Buffer.from(text, 'utf8').toString('base64') : text;
}

export function overallStatus(invocation: Invocation): string {
  const statuses = invocation.instances.map((entry) => entry.status);
  if (statuses.some((status) => status === 'Running')) return 'Running';
  if (statuses.every((status) => status === 'Terminated')) return 'Stopped';
  if (statuses.every((status) => status === 'Success')) return 'Success';
  if (statuses.every((status) => status !== 'Success')) return 'Failed';
  return 'PartialFailed';
}

/** The legacy overall InvokeStatus. */
export function legacyInvokeStatus(status: string): string {
  return (
    { Running: 'Running', Success: 'Finished', Failed: 'Failed', PartialFailed: 'PartialFinished' }[
      status
    ] ?? status
  );
}

/** The legacy per-instance record status (InvokeRecordStatus / InstanceInvokeStatus). */
export function recordStatus(entry: InvocationInstance): string {
  if (entry.status === 'Running') return 'Running';
  if (entry.status === 'Terminated') return 'Stopped';
  return entry.status === 'Success' || entry.status === 'Failed' ? 'Finished' : 'Failed';
}

export function resultView(
  invocation: Invocation,
  entry: InvocationInstance,
  encoding: Encoding,
  includeOutput = true,
): Record<string, unknown> {
  const outcome = entry.outcome;
  return {
    InstanceId: entry.instanceId,
    InvocationStatus: entry.status,
    ExitCode: outcome?.exitCode ?? 0,
    Output: includeOutput ? encode(outcome?.output ?? '', encoding) : '',
    ErrorCode: outcome?.errorCode ?? '',
    ErrorInfo: outcome?.errorInfo ?? '',
    StartTime: outcome?.startTime ?? entry.startTime,
    FinishedTime: outcome?.finishedTime ?? '',
    Dropped: 0,
    Repeats: 1,
    Username: invocation.username,
  };
}
