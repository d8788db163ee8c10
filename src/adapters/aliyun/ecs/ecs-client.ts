/**
 * ECS (2014-05-26) calls drainctl makes — instances, Cloud Assistant, reboot — through the
 * official `@alicloud/ecs20140526` SDK, under the retry policy, answers parsed into our types.
 */
import type { InstanceInfo, InstanceStatus } from '../../../ports/index.js';
import type { AliyunSession } from '../session.js';
import type { CloudCaller } from '../transport/cloud-call.js';
import { parseResponse } from '../transport/wire.js';
import { Ecs, EcsClient, type EcsClientConfig } from './ecs-sdk.js';
import {
  describeInstanceStatusBody,
  describeInstancesBody,
  describeInvocationResultsBody,
  type InvocationResult,
  instanceStatusOf,
  requestIdBody,
  runCommandBody,
} from './ecs-wire.js';

/** DescribeInstances takes at most 100 ids and returns at most 100 per page. */
const MAX_IDS = 100;

export interface RunCommandParams {
  instanceId: string;
  /** Shell script, sent Base64-encoded so no character is mangled on the way. */
  script: string;
  /** RunPowerShellScript on a Windows instance; RunShellScript otherwise. */
  language?: 'shell' | 'powershell';
  timeoutSeconds: number;
  clientToken: string;
  name?: string;
  username?: string;
  workingDir?: string;
}

/** The ECS calls of one session (region, credential, retry policy). */
export function createEcsApi(session: AliyunSession): EcsApi {
  return new EcsApi(
    new EcsClient(session.clientSettings('ecs') as unknown as EcsClientConfig),
    session.caller('ecs'),
    session.region,
  );
}

export class EcsApi {
  constructor(
    private readonly sdk: EcsClient,
    private readonly caller: CloudCaller,
    private readonly region: string,
  ) {}

  async describeInstances(instanceIds: string[]): Promise<InstanceInfo[]> {
    const out: InstanceInfo[] = [];
    for (let i = 0; i < instanceIds.length; i += MAX_IDS) {
      const ids = instanceIds.slice(i, i + MAX_IDS);
      out.push(
        ...(await this.instancePages({ instanceIds: JSON.stringify(ids), pageSize: MAX_IDS })),
      );
    }
    return out;
  }

  /** Instances carrying every tag (the API ANDs Tag.N filters). */
  async describeInstancesByTags(tags: Record<string, string>): Promise<InstanceInfo[]> {
    const tag = Object.entries(tags).map(
      ([key, value]) => new Ecs.DescribeInstancesRequestTag({ key, value }),
    );
    return this.instancePages({ tag, pageSize: MAX_IDS });
  }

  async describeInstanceStatus(instanceIds: string[]): Promise<Map<string, InstanceStatus>> {
    const response = await this.caller.call(
      { action: 'DescribeInstanceStatus', idempotent: true },
      () =>
        this.sdk.describeInstanceStatus(
          new Ecs.DescribeInstanceStatusRequest({
            regionId: this.region,
            instanceId: instanceIds,
            pageSize: 50,
          }),
        ),
    );
    const body = parseResponse(
      'ecs',
      'DescribeInstanceStatus',
      describeInstanceStatusBody,
      response.body,
    );
    return new Map(
      (body.instanceStatuses?.instanceStatus ?? []).map((s) => [
        s.instanceId,
        instanceStatusOf(s.status),
      ]),
    );
  }

  /** Idempotent by ClientToken: a resend after a timeout does not run the script twice. */
  async runCommand(p: RunCommandParams): Promise<string> {
    const response = await this.caller.call({ action: 'RunCommand', idempotent: true }, () =>
      this.sdk.runCommand(
        new Ecs.RunCommandRequest({
          regionId: this.region,
          type: p.language === 'powershell' ? 'RunPowerShellScript' : 'RunShellScript',
          commandContent: Buffer.from(p.script, 'utf8').toString('base64'),
          contentEncoding: 'Base64',
          instanceId: [p.instanceId],
          timeout: p.timeoutSeconds,
          name: p.name,
          username: p.username,
          workingDir: p.workingDir,
          clientToken: p.clientToken,
        }),
      ),
    );
    return parseResponse('ecs', 'RunCommand', runCommandBody, response.body).invokeId;
  }

  async describeInvocationResult(
    invokeId: string,
    instanceId: string,
  ): Promise<InvocationResult | undefined> {
    const response = await this.caller.call(
      { action: 'DescribeInvocationResults', idempotent: true },
      () =>
        this.sdk.describeInvocationResults(
          new Ecs.DescribeInvocationResultsRequest({
            regionId: this.region,
            invokeId,
            instanceId,
            contentEncoding: 'Base64',
          }),
        ),
    );
    const body = parseResponse(
      'ecs',
      'DescribeInvocationResults',
      describeInvocationResultsBody,
      response.body,
    );
    const results = body.invocation?.invocationResults?.invocationResult ?? [];
    return results.find((r) => r.instanceId === undefined || r.instanceId === instanceId);
  }

  /** Stopping twice is harmless, so it is resent freely. */
  async stopInvocation(invokeId: string, instanceId: string): Promise<void> {
    const response = await this.caller.call({ action: 'StopInvocation', idempotent: true }, () =>
      this.sdk.stopInvocation(
        new Ecs.StopInvocationRequest({
          regionId: this.region,
          invokeId,
          instanceId: [instanceId],
        }),
      ),
    );
    parseResponse('ecs', 'StopInvocation', requestIdBody, response.body);
  }

  /** Never resent after an ambiguous failure: two reboots are not one. */
  async rebootInstance(instanceId: string): Promise<void> {
    const response = await this.caller.call({ action: 'RebootInstance', idempotent: false }, () =>
      this.sdk.rebootInstance(new Ecs.RebootInstanceRequest({ instanceId, forceStop: false })),
    );
    parseResponse('ecs', 'RebootInstance', requestIdBody, response.body);
  }

  private async instancePages(
    filter: Partial<ConstructorParameters<typeof Ecs.DescribeInstancesRequest>[0]>,
  ): Promise<InstanceInfo[]> {
    const out: InstanceInfo[] = [];
    for (let page = 1; ; page++) {
      const response = await this.caller.call(
        { action: 'DescribeInstances', idempotent: true },
        () =>
          this.sdk.describeInstances(
            new Ecs.DescribeInstancesRequest({
              regionId: this.region,
              pageNumber: page,
              ...filter,
            }),
          ),
      );
      const body = parseResponse('ecs', 'DescribeInstances', describeInstancesBody, response.body);
      const instances = body.instances?.instance ?? [];
      out.push(...instances);
      if (instances.length < MAX_IDS || out.length >= (body.totalCount ?? 0)) return out;
    }
  }
}
