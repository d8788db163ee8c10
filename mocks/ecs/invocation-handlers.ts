/**
 * DescribeInvocations and DescribeInvocationResults: what drainctl polls after RunCommand.
 * An unknown InvokeId gives an empty list (not an error), as polling clients expect.
 */
import type { EmulatorContext } from '../emulator/context.js';
import type { Params } from '../server/params.js';
import type { Handler } from '../server/product.js';
import {
  type Encoding,
  encode,
  legacyInvokeStatus,
  overallStatus,
  recordStatus,
  resultView,
} from './invocation-views.js';
import type { Invocation } from './store.js';

function paging(params: Params) {
  return {
    pageNumber: params.int('PageNumber', { min: 1 }) ?? 1,
    pageSize: params.int('PageSize', { min: 1, max: 50 }) ?? 10,
  };
}

function encodingOf(params: Params): Encoding {
  return params.oneOf('ContentEncoding', ['PlainText', 'Base64']) ?? 'Base64';
}

function selected(params: Params, ctx: EmulatorContext): Invocation[] {
  const invokeId = params.string('InvokeId');
  const instanceId = params.string('InstanceId');
  const commandId = params.string('CommandId');
  return [...ctx.ecs.invocations.values()]
    .filter((invocation) => !invokeId || invocation.invokeId === invokeId)
    .filter((invocation) => !commandId || invocation.commandId === commandId)
    .filter(
      (invocation) => !instanceId || invocation.instances.some((e) => e.instanceId === instanceId),
    )
    .reverse();
}

const DescribeInvocations: Handler<EmulatorContext> = ({ params, ctx }) => {
  const encoding = encodingOf(params);
  const includeOutput = params.bool('IncludeOutput') === true;
  const instanceId = params.string('InstanceId');
  const wantedStatus = params.string('InvokeStatus');
  const all = selected(params, ctx).filter(
    (invocation) => !wantedStatus || overallStatus(invocation) === wantedStatus,
  );
  const { pageNumber, pageSize } = paging(params);
  const page = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return {
    PageNumber: pageNumber,
    PageSize: pageSize,
    TotalCount: all.length,
    NextToken: '',
    Invocations: {
      Invocation: page.map((invocation) => {
        const status = overallStatus(invocation);
        return {
          InvokeId: invocation.invokeId,
          CommandId: invocation.commandId,
          CommandName: invocation.name,
          CommandDescription: invocation.description,
          CommandType: invocation.type,
          CommandContent: encode(invocation.content, encoding),
          Parameters: invocation.parameters,
          Timeout: invocation.timeout,
          Username: invocation.username,
          WorkingDir: invocation.workingDir,
          CreationTime: invocation.creationTime,
          RepeatMode: 'Once',
          Timed: false,
          Frequency: '',
          InvocationStatus: status,
          InvokeStatus: legacyInvokeStatus(status),
          InvokeInstances: {
            InvokeInstance: invocation.instances
              .filter((entry) => !instanceId || entry.instanceId === instanceId)
              .map((entry) => {
                const { Username: _username, ...result } = resultView(
                  invocation,
                  entry,
                  encoding,
                  includeOutput,
                );
                return {
                  ...result,
                  FinishTime: entry.outcome?.finishedTime ?? '',
                  CreationTime: entry.creationTime,
                  UpdateTime: entry.outcome?.finishedTime ?? entry.startTime,
                  InstanceInvokeStatus: recordStatus(entry),
                  Timed: false,
                };
              }),
          },
        };
      }),
    },
  };
};

const DescribeInvocationResults: Handler<EmulatorContext> = ({ params, ctx }) => {
  const encoding = encodingOf(params);
  const instanceId = params.string('InstanceId');
  const wantedRecord = params.string('InvokeRecordStatus');
  const rows = selected(params, ctx).flatMap((invocation) =>
    invocation.instances
      .filter((entry) => !instanceId || entry.instanceId === instanceId)
      .filter((entry) => !wantedRecord || recordStatus(entry) === wantedRecord)
      .map((entry) => ({
        CommandId: invocation.commandId,
        InvokeId: invocation.invokeId,
        InvokeRecordStatus: recordStatus(entry),
        ...resultView(invocation, entry, encoding),
      })),
  );
  const { pageNumber, pageSize } = paging(params);
  return {
    Invocation: {
      PageNumber: pageNumber,
      PageSize: pageSize,
      TotalCount: rows.length,
      NextToken: '',
      InvocationResults: {
        InvocationResult: rows.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
      },
    },
  };
};

export const invocationHandlers: Record<string, Handler<EmulatorContext>> = {
  DescribeInvocations,
  DescribeInvocationResults,
};
