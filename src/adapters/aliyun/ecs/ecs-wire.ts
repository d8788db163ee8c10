/**
 * ECS (2014-05-26) answers drainctl reads, as zod schemas over the wire's JSON (PascalCase names,
 * as the API documents them); results of Cloud Assistant come out camelCase, our own type.
 */
import { z } from 'zod';
import type { InstanceInfo, InstanceStatus } from '../../../ports/index.js';
import { wireNumber, wireString } from '../transport/wire.js';

const ipList = z.object({ IpAddress: z.array(z.string()).nullish() }).nullish();

const instance = z
  .object({
    InstanceId: z.string(),
    InstanceName: z.string().optional(),
    HostName: z.string().optional(),
    Status: z.string().optional(),
    OSName: z.string().optional(),
    OSType: z.string().optional(),
    ZoneId: z.string().optional(),
    VpcAttributes: z.object({ PrivateIpAddress: ipList }).nullish(),
    InnerIpAddress: ipList,
    PublicIpAddress: ipList,
    EipAddress: z.object({ IpAddress: z.string().nullish() }).nullish(),
    Tags: z
      .object({
        Tag: z
          .array(z.object({ TagKey: z.string().optional(), TagValue: z.string().nullish() }))
          .nullish(),
      })
      .nullish(),
  })
  .transform((i): InstanceInfo => {
    const privateIp =
      i.VpcAttributes?.PrivateIpAddress?.IpAddress?.[0] ?? i.InnerIpAddress?.IpAddress?.[0];
    const publicIp = i.PublicIpAddress?.IpAddress?.[0] || i.EipAddress?.IpAddress || undefined;
    const tags: Record<string, string> = {};
    for (const tag of i.Tags?.Tag ?? []) {
      if (tag.TagKey !== undefined) tags[tag.TagKey] = tag.TagValue ?? '';
    }
    const info: InstanceInfo = {
      id: i.InstanceId,
      name: i.InstanceName ?? i.HostName ?? i.InstanceId,
      status: instanceStatusOf(i.Status),
      tags,
    };
    if (privateIp) info.privateIp = privateIp;
    if (publicIp) info.publicIp = publicIp;
    if (i.OSName) info.osName = i.OSName;
    if (i.OSType === 'windows' || i.OSType === 'linux') info.osType = i.OSType;
    if (i.ZoneId) info.zoneId = i.ZoneId;
    return info;
  });

export const describeInstancesBody = z.object({
  TotalCount: wireNumber.optional(),
  NextToken: z.string().nullish(),
  Instances: z.object({ Instance: z.array(instance).nullish() }).nullish(),
});

export const describeInstanceStatusBody = z.object({
  TotalCount: wireNumber.optional(),
  InstanceStatuses: z
    .object({
      InstanceStatus: z
        .array(z.object({ InstanceId: z.string(), Status: z.string().optional() }))
        .nullish(),
    })
    .nullish(),
});

export const runCommandBody = z.object({ InvokeId: z.string(), CommandId: z.string().optional() });

const invocationResult = z
  .object({
    InstanceId: z.string().optional(),
    InvocationStatus: z.string().optional(),
    InvokeRecordStatus: z.string().optional(),
    ExitCode: wireNumber.nullish(),
    Output: z.string().nullish(),
    ErrorCode: z.string().nullish(),
    ErrorInfo: z.string().nullish(),
    StartTime: z.string().nullish(),
    FinishedTime: z.string().nullish(),
  })
  .transform((r): InvocationResult => {
    const result: InvocationResult = {};
    if (r.InstanceId !== undefined) result.instanceId = r.InstanceId;
    if (r.InvocationStatus !== undefined) result.invocationStatus = r.InvocationStatus;
    if (r.InvokeRecordStatus !== undefined) result.invokeRecordStatus = r.InvokeRecordStatus;
    if (r.ExitCode !== undefined) result.exitCode = r.ExitCode;
    if (r.Output !== undefined) result.output = r.Output;
    if (r.ErrorCode !== undefined) result.errorCode = r.ErrorCode;
    if (r.ErrorInfo !== undefined) result.errorInfo = r.ErrorInfo;
    if (r.StartTime !== undefined) result.startTime = r.StartTime;
    if (r.FinishedTime !== undefined) result.finishedTime = r.FinishedTime;
    return result;
  });

/** One instance's Cloud Assistant result, in our names. */
export interface InvocationResult {
  instanceId?: string;
  invocationStatus?: string;
  invokeRecordStatus?: string;
  exitCode?: number | null;
  output?: string | null;
  errorCode?: string | null;
  errorInfo?: string | null;
  startTime?: string | null;
  finishedTime?: string | null;
}

export const describeInvocationResultsBody = z.object({
  Invocation: z
    .object({
      InvocationResults: z
        .object({ InvocationResult: z.array(invocationResult).nullish() })
        .nullish(),
    })
    .nullish(),
});

export const requestIdBody = z.object({ RequestId: wireString.optional() }).passthrough();

export function instanceStatusOf(value: string | undefined): InstanceStatus {
  switch (value) {
    case 'Pending':
    case 'Running':
    case 'Starting':
    case 'Stopping':
    case 'Stopped':
      return value;
    default:
      // Unknown states (e.g. Expired) are not Running: a wait keeps waiting, a gate blocks.
      return 'Pending';
  }
}
