import { describe, expect, it, vi } from 'vitest';
import { Ecs, useEmulator } from '#support/emulator-sdk.js';
import { FAST } from '#support/emulator-timings.js';
import { expectApiError } from '#support/expect-api-error.js';

const REGION = 'cn-hangzhou';

/** Every wait below: commands and reboots on FAST timings end within this. */
const POLL = { timeout: 5_000, interval: 20 };

describe('ECS and Cloud Assistant', () => {
  const env = useEmulator({ timings: FAST });

  it('DescribeInstances: the topology with private IPs in the /24, tags, filters and paging', async () => {
    const { ecs, emu } = env();
    const all = await ecs.describeInstances(
      new Ecs.DescribeInstancesRequest({ regionId: REGION, pageSize: 3 }),
    );
    expect(all.body?.totalCount).toBe(4);
    expect(all.body?.instances?.instance?.map((i) => i.instanceId)).toEqual([
      'i-emu-web-1',
      'i-emu-web-2',
      'i-emu-web-3',
    ]);
    const first = all.body?.instances?.instance?.[0];
    const prefix = emu.subnet.replace(/0\/24$/, '');
    expect(first).toMatchObject({
      instanceName: 'web-1',
      hostName: 'web-1',
      status: 'Running',
      OSName: 'CentOS 7.9 64 bit',
      vpcAttributes: { privateIpAddress: { ipAddress: [`${prefix}11`] } },
      tags: {
        tag: [
          { tagKey: 'app', tagValue: 'web' },
          { tagKey: 'env', tagValue: 'demo' },
        ],
      },
    });
    const byIds = await ecs.describeInstances(
      new Ecs.DescribeInstancesRequest({
        regionId: REGION,
        instanceIds: JSON.stringify(['i-emu-web-4', 'i-nope']),
      }),
    );
    expect(byIds.body?.instances?.instance?.map((i) => i.instanceId)).toEqual(['i-emu-web-4']);
    const byName = await ecs.describeInstances(
      new Ecs.DescribeInstancesRequest({ regionId: REGION, instanceName: 'web-*' }),
    );
    expect(byName.body?.totalCount).toBe(4);
    await expectApiError(
      ecs.describeInstances(
        new Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: 'i-emu-web-1' }),
      ),
      'InvalidInstanceIds.Malformed',
      400,
    );
  });

  it('RunCommand (update) then RebootInstance: Stopping → Starting → Running with the new kernel', async () => {
    const { ecs, emu } = env();
    const run = await ecs.runCommand(
      new Ecs.RunCommandRequest({
        regionId: REGION,
        type: 'RunShellScript',
        commandContent: Buffer.from('yum update -y kernel').toString('base64'),
        contentEncoding: 'Base64',
        instanceId: ['i-emu-web-2'],
        timeout: 60,
      }),
    );
    const invokeId = run.body?.invokeId ?? '';
    expect(invokeId).toMatch(/^t-/);
    const results = () =>
      ecs.describeInvocationResults(
        new Ecs.DescribeInvocationResultsRequest({ regionId: REGION, invokeId }),
      );
    expect(
      (await results()).body?.invocation?.invocationResults?.invocationResult?.[0]
        ?.invocationStatus,
    ).toBe('Running');
    const result = await vi.waitFor(async () => {
      const first = (await results()).body?.invocation?.invocationResults?.invocationResult?.[0];
      expect(first?.invocationStatus).not.toBe('Running');
      return first;
    }, POLL);
    expect(result).toMatchObject({
      instanceId: 'i-emu-web-2',
      invocationStatus: 'Success',
      exitCode: 0,
      invokeRecordStatus: 'Finished',
    });
    expect(Buffer.from(result?.output ?? '', 'base64').toString()).toContain('Complete!');

    await ecs.rebootInstance(new Ecs.RebootInstanceRequest({ instanceId: 'i-emu-web-2' }));
    await expectApiError(
      ecs.rebootInstance(new Ecs.RebootInstanceRequest({ instanceId: 'i-emu-web-2' })),
      'IncorrectInstanceStatus',
      403,
    );
    const seen: string[] = [];
    await vi.waitFor(async () => {
      const answer = await ecs.describeInstanceStatus(
        new Ecs.DescribeInstanceStatusRequest({ regionId: REGION, instanceId: ['i-emu-web-2'] }),
      );
      const status = answer.body?.instanceStatuses?.instanceStatus?.[0]?.status ?? '';
      if (seen.at(-1) !== status) seen.push(status);
      expect(status).toBe('Running');
    }, POLL);
    expect(seen).toEqual(['Stopping', 'Starting', 'Running']);
    expect(emu.state().instances.find((i) => i.id === 'i-emu-web-2')?.kernel).toBe(
      '3.10.0-1160.119.1.el7.x86_64',
    );
  });

  it('Output is Base64 by default and plain with ContentEncoding=PlainText; DescribeInvocations too', async () => {
    const { ecs } = env();
    const run = await ecs.runCommand(
      new Ecs.RunCommandRequest({
        regionId: REGION,
        type: 'RunShellScript',
        commandContent: 'uname -r',
        instanceId: ['i-emu-web-1'],
      }),
    );
    const invokeId = run.body?.invokeId ?? '';
    const plain = await vi.waitFor(async () => {
      const answer = await ecs.describeInvocationResults(
        new Ecs.DescribeInvocationResultsRequest({
          regionId: REGION,
          invokeId,
          contentEncoding: 'PlainText',
        }),
      );
      const first = answer.body?.invocation?.invocationResults?.invocationResult?.[0];
      expect(first?.invocationStatus).toBe('Success');
      return first;
    }, POLL);
    expect(plain?.output).toBe('3.10.0-1160.el7.x86_64\n');
    const encoded = await ecs.describeInvocationResults(
      new Ecs.DescribeInvocationResultsRequest({ regionId: REGION, invokeId }),
    );
    expect(encoded.body?.invocation?.invocationResults?.invocationResult?.[0]?.output).toBe(
      Buffer.from('3.10.0-1160.el7.x86_64\n').toString('base64'),
    );
    const invocations = await ecs.describeInvocations(
      new Ecs.DescribeInvocationsRequest({ regionId: REGION, invokeId, includeOutput: true }),
    );
    expect(invocations.body?.invocations?.invocation?.[0]).toMatchObject({
      invokeId,
      invocationStatus: 'Success',
      invokeStatus: 'Finished',
      commandType: 'RunShellScript',
      commandContent: Buffer.from('uname -r').toString('base64'),
      invokeInstances: {
        invokeInstance: [
          { instanceId: 'i-emu-web-1', exitCode: 0, instanceInvokeStatus: 'Finished' },
        ],
      },
    });
    expect(
      invocations.body?.invocations?.invocation?.[0]?.invokeInstances?.invokeInstance?.[0]?.output,
    ).toBe(Buffer.from('3.10.0-1160.el7.x86_64\n').toString('base64'));
  });

  it('a non-zero exit is Failed with ExitCodeNonzero; validation uses the real codes', async () => {
    const { ecs } = env();
    const run = await ecs.runCommand(
      new Ecs.RunCommandRequest({
        regionId: REGION,
        type: 'RunShellScript',
        commandContent: 'exit 3',
        instanceId: ['i-emu-web-3'],
      }),
    );
    const failed = await vi.waitFor(async () => {
      const answer = await ecs.describeInvocationResults(
        new Ecs.DescribeInvocationResultsRequest({
          regionId: REGION,
          invokeId: run.body?.invokeId,
        }),
      );
      const first = answer.body?.invocation?.invocationResults?.invocationResult?.[0];
      expect(first?.invocationStatus).not.toBe('Running');
      return first;
    }, POLL);
    expect(failed).toMatchObject({
      invocationStatus: 'Failed',
      exitCode: 3,
      errorCode: 'ExitCodeNonzero',
    });
    await expectApiError(
      ecs.runCommand(
        new Ecs.RunCommandRequest({
          regionId: REGION,
          type: 'RunShellScript',
          commandContent: 'true',
          instanceId: ['i-nope'],
        }),
      ),
      'InvalidInstanceId.NotFound',
      404,
    );
    await expectApiError(
      ecs.runCommand(
        new Ecs.RunCommandRequest({
          regionId: REGION,
          type: 'RunShellScript',
          commandContent: 'true',
          instanceId: ['i-emu-web-1'],
          timeout: 5,
        }),
      ),
      'InvalidParameter',
      400,
    );
    await expectApiError(
      ecs.rebootInstance(new Ecs.RebootInstanceRequest({ instanceId: 'i-nope' })),
      'InvalidInstanceId.NotFound',
      404,
    );
    await expectApiError(
      ecs.rebootInstance(
        new Ecs.RebootInstanceRequest({ instanceId: 'i-emu-web-3', dryRun: true }),
      ),
      'DryRunOperation',
      400,
    );
  });
});
