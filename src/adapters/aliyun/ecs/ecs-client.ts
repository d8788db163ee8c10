/**
 * ECS (2014-05-26) calls drainctl makes — instances, Cloud Assistant, reboot — through
 * `@alicloud/openapi-core`'s generic `callApi` (the client the official `@alicloud/ecs20140526`
 * SDK extends), with the parameters that SDK sends (its `…WithOptions` methods: RPC, lists
 * numbered `Name.N`), under the retry policy, answers parsed into our types. Not through the SDK
 * itself: its thousand model modules held about 60 MiB of every process that reached an ECS host
 * (docs/benchmarks.md, "Fleet night").
 */
import type { InstanceInfo, InstanceStatus } from '../../../ports/index.js';
import type { AliyunSession } from '../session.js';
import type { CloudCaller } from '../transport/cloud-call.js';
import {
  DaraRuntimeOptions,
  OpenApiCoreClient,
  OpenApiCoreUtil,
} from '../transport/openapi-core.js';
import { parseResponse } from '../transport/wire.js';
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

export const ECS_API_VERSION = '2014-05-26';

/** The ECS calls of one session (region, credential, retry policy). */
export function createEcsApi(session: AliyunSession): EcsApi {
  return new EcsApi(
    new OpenApiCoreClient(new OpenApiCoreUtil.Config(session.clientSettings('ecs'))),
    session.caller('ecs'),
    session.region,
  );
}

type Params = Record<string, string | number | boolean | undefined>;

/** `Name.1`, `Name.2`… for a list, as the SDK flattens one into the query. */
function numbered(name: string, values: readonly string[]): Record<string, string> {
  return Object.fromEntries(values.map((value, i) => [`${name}.${i + 1}`, value]));
}

export class EcsApi {
  constructor(
    private readonly sdk: OpenApiCoreClient,
    private readonly caller: CloudCaller,
    private readonly region: string,
  ) {}

  async describeInstances(instanceIds: string[]): Promise<InstanceInfo[]> {
    const out: InstanceInfo[] = [];
    for (let i = 0; i < instanceIds.length; i += MAX_IDS) {
      const ids = instanceIds.slice(i, i + MAX_IDS);
      out.push(...(await this.instancePages({ InstanceIds: JSON.stringify(ids) })));
    }
    return out;
  }

  /** Instances carrying every tag (the API ANDs Tag.N filters). */
  async describeInstancesByTags(tags: Record<string, string>): Promise<InstanceInfo[]> {
    const filter: Params = {};
    Object.entries(tags).forEach(([key, value], i) => {
      filter[`Tag.${i + 1}.Key`] = key;
      filter[`Tag.${i + 1}.Value`] = value;
    });
    return this.instancePages(filter);
  }

  async describeInstanceStatus(instanceIds: string[]): Promise<Map<string, InstanceStatus>> {
    const raw = await this.send('DescribeInstanceStatus', true, {
      RegionId: this.region,
      ...numbered('InstanceId', instanceIds),
      PageSize: 50,
    });
    const body = parseResponse('ecs', 'DescribeInstanceStatus', describeInstanceStatusBody, raw);
    return new Map(
      (body.InstanceStatuses?.InstanceStatus ?? []).map((s) => [
        s.InstanceId,
        instanceStatusOf(s.Status),
      ]),
    );
  }

  /** Idempotent by ClientToken: a resend after a timeout does not run the script twice. */
  async runCommand(p: RunCommandParams): Promise<string> {
    const raw = await this.send('RunCommand', true, {
      ClientToken: p.clientToken,
      CommandContent: Buffer.from(p.script, 'utf8').toString('base64'),
      ContentEncoding: 'Base64',
      ...numbered('InstanceId', [p.instanceId]),
      Name: p.name,
      RegionId: this.region,
      Timeout: p.timeoutSeconds,
      Type: p.language === 'powershell' ? 'RunPowerShellScript' : 'RunShellScript',
      Username: p.username,
      WorkingDir: p.workingDir,
    });
    return parseResponse('ecs', 'RunCommand', runCommandBody, raw).InvokeId;
  }

  async describeInvocationResult(
    invokeId: string,
    instanceId: string,
  ): Promise<InvocationResult | undefined> {
    const raw = await this.send('DescribeInvocationResults', true, {
      ContentEncoding: 'Base64',
      InstanceId: instanceId,
      InvokeId: invokeId,
      RegionId: this.region,
    });
    const body = parseResponse(
      'ecs',
      'DescribeInvocationResults',
      describeInvocationResultsBody,
      raw,
    );
    const results = body.Invocation?.InvocationResults?.InvocationResult ?? [];
    return results.find((r) => r.instanceId === undefined || r.instanceId === instanceId);
  }

  /** Stopping twice is harmless, so it is resent freely. */
  async stopInvocation(invokeId: string, instanceId: string): Promise<void> {
    const raw = await this.send('StopInvocation', true, {
      ...numbered('InstanceId', [instanceId]),
      InvokeId: invokeId,
      RegionId: this.region,
    });
    parseResponse('ecs', 'StopInvocation', requestIdBody, raw);
  }

  /** Never resent after an ambiguous failure: two reboots are not one. */
  async rebootInstance(instanceId: string): Promise<void> {
    // The SDK's RebootInstance sends no RegionId (the instance id names it).
    const raw = await this.send('RebootInstance', false, {
      ForceStop: false,
      InstanceId: instanceId,
    });
    parseResponse('ecs', 'RebootInstance', requestIdBody, raw);
  }

  private async instancePages(filter: Params): Promise<InstanceInfo[]> {
    const out: InstanceInfo[] = [];
    for (let page = 1; ; page++) {
      const raw = await this.send('DescribeInstances', true, {
        ...filter,
        PageNumber: page,
        PageSize: MAX_IDS,
        RegionId: this.region,
      });
      const body = parseResponse('ecs', 'DescribeInstances', describeInstancesBody, raw);
      const instances = body.Instances?.Instance ?? [];
      out.push(...instances);
      if (instances.length < MAX_IDS || out.length >= (body.TotalCount ?? 0)) return out;
    }
  }

  private async send(action: string, idempotent: boolean, params: Params): Promise<unknown> {
    const query: Record<string, string> = {};
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined) query[key] = String(value);
    }
    const response = await this.caller.call({ action, idempotent }, () =>
      this.sdk.callApi(
        new OpenApiCoreUtil.Params({
          action,
          version: ECS_API_VERSION,
          protocol: 'HTTPS',
          pathname: '/',
          method: 'POST',
          authType: 'AK',
          style: 'RPC',
          reqBodyType: 'formData',
          bodyType: 'json',
        }),
        new OpenApiCoreUtil.OpenApiRequest({ query }),
        new DaraRuntimeOptions({}),
      ),
    );
    return (response as { body?: unknown }).body;
  }
}
