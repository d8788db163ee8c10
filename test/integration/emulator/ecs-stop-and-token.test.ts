/**
 * Cloud Assistant's two safety valves, as drainctl's ECS adapter uses them: StopInvocation ends a
 * command that outlived its timeout, and a ClientToken makes a resent RunCommand start nothing new.
 */
import { describe, expect, it } from 'vitest';
import { Ecs, useEmulator } from '#support/emulator-sdk.js';
import { FAST } from '#support/emulator-timings.js';
import { expectApiError } from '#support/expect-api-error.js';

const REGION = 'cn-hangzhou';

function runCommand(clientToken: string, script: string) {
  return new Ecs.RunCommandRequest({
    regionId: REGION,
    type: 'RunShellScript',
    commandContent: script,
    instanceId: ['i-emu-web-1'],
    clientToken,
  });
}

describe('Cloud Assistant StopInvocation and ClientToken', () => {
  // Package updates take a minute here, so a command is surely still running when stopped.
  const env = useEmulator({ timings: { ...FAST, packageUpdateSeconds: 60 } });

  it('StopInvocation ends a running command as Terminated, for good', async () => {
    const { ecs } = env();
    const started = await ecs.runCommand(runCommand('stop-1', 'yum update kernel -y'));
    const invokeId = started.body?.invokeId ?? '';
    const before = await ecs.describeInvocationResults(
      new Ecs.DescribeInvocationResultsRequest({ regionId: REGION, invokeId }),
    );
    expect(
      before.body?.invocation?.invocationResults?.invocationResult?.[0]?.invocationStatus,
    ).toBe('Running');

    await ecs.stopInvocation(new Ecs.StopInvocationRequest({ regionId: REGION, invokeId }));
    const after = await ecs.describeInvocationResults(
      new Ecs.DescribeInvocationResultsRequest({ regionId: REGION, invokeId }),
    );
    const result = after.body?.invocation?.invocationResults?.invocationResult?.[0];
    expect(result?.invocationStatus).toBe('Terminated');
    expect(result?.errorCode).toBe('InvocationStopped');

    await expectApiError(
      ecs.stopInvocation(new Ecs.StopInvocationRequest({ regionId: REGION, invokeId: 't-nope' })),
      'InvalidInvokeId.NotFound',
      404,
    );
  });

  it('a resent RunCommand with the same ClientToken answers the first invocation; other parameters are refused', async () => {
    const { ecs } = env();
    const first = await ecs.runCommand(runCommand('token-1', 'uname -r'));
    const again = await ecs.runCommand(runCommand('token-1', 'uname -r'));
    expect(again.body?.invokeId).toBe(first.body?.invokeId);
    expect(again.body?.commandId).toBe(first.body?.commandId);
    const all = await ecs.describeInvocations(
      new Ecs.DescribeInvocationsRequest({ regionId: REGION, invokeId: first.body?.invokeId }),
    );
    expect(all.body?.totalCount).toBe(1);

    await expectApiError(
      ecs.runCommand(runCommand('token-1', 'hostname')),
      'IdempotentParameterMismatch',
      400,
    );
    const other = await ecs.runCommand(runCommand('token-2', 'uname -r'));
    expect(other.body?.invokeId).not.toBe(first.body?.invokeId);
  });
});
