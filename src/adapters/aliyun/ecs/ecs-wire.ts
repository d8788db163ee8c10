/**
 * ECS (2014-05-26) answers drainctl reads, as zod schemas over the SDK's response models
 * (camelCase fields; the SDK has mapped the wire names already; OSName keeps its case).
 */
import { z } from 'zod';
import type { InstanceInfo, InstanceStatus } from '../../../ports/index.js';
import { wireNumber, wireString } from '../transport/wire.js';

const ipList = z.object({ ipAddress: z.array(z.string()).nullish() }).nullish();

const instance = z
  .object({
    instanceId: z.string(),
    instanceName: z.string().optional(),
    hostName: z.string().optional(),
    status: z.string().optional(),
    OSName: z.string().optional(),
    OSType: z.string().optional(),
    zoneId: z.string().optional(),
    vpcAttributes: z.object({ privateIpAddress: ipList }).nullish(),
    innerIpAddress: ipList,
    publicIpAddress: ipList,
    eipAddress: z.object({ ipAddress: z.string().nullish() }).nullish(),
    tags: z
      .object({
        tag: z
          .array(z.object({ tagKey: z.string().optional(), tagValue: z.string().nullish() }))
          .nullish(),
      })
      .nullish(),
  })
  .transform((i): InstanceInfo => {
    const privateIp =
      i.vpcAttributes?.privateIpAddress?.ipAddress?.[0] ?? i.innerIpAddress?.ipAddress?.[0];
    const publicIp = i.publicIpAddress?.ipAddress?.[0] || i.eipAddress?.ipAddress || undefined;
    const tags: Record<string, string> = {};
    for (const tag of i.tags?.tag ?? []) {
      if (tag.tagKey !== undefined) tags[tag.tagKey] = tag.tagValue ?? '';
    }
    const info: InstanceInfo = {
      id: i.instanceId,
      name: i.instanceName ?? i.hostName ?? i.instanceId,
      status: instanceStatusOf(i.status),
      tags,
    };
    if (privateIp) info.privateIp = privateIp;
    if (publicIp) info.publicIp = publicIp;
    if (i.OSName) info.osName = i.OSName;
    if (i.OSType === 'windows' || i.OSType === 'linux') info.osType = i.OSType;
    if (i.zoneId) info.zoneId = i.zoneId;
    return info;
  });

export const describeInstancesBody = z.object({
  totalCount: wireNumber.optional(),
  nextToken: z.string().nullish(),
  instances: z.object({ instance: z.array(instance).nullish() }).nullish(),
});

export const describeInstanceStatusBody = z.object({
  totalCount: wireNumber.optional(),
  instanceStatuses: z
    .object({
      instanceStatus: z
        .array(z.object({ instanceId: z.string(), status: z.string().optional() }))
        .nullish(),
    })
    .nullish(),
});

export const runCommandBody = z.object({ invokeId: z.string(), commandId: z.string().optional() });

const invocationResult = z.object({
  instanceId: z.string().optional(),
  invocationStatus: z.string().optional(),
  invokeRecordStatus: z.string().optional(),
  exitCode: wireNumber.nullish(),
  output: z.string().nullish(),
  errorCode: z.string().nullish(),
  errorInfo: z.string().nullish(),
  startTime: z.string().nullish(),
  finishedTime: z.string().nullish(),
});
export type InvocationResult = z.output<typeof invocationResult>;

export const describeInvocationResultsBody = z.object({
  invocation: z
    .object({
      invocationResults: z
        .object({ invocationResult: z.array(invocationResult).nullish() })
        .nullish(),
    })
    .nullish(),
});

export const requestIdBody = z.object({ requestId: wireString.optional() }).passthrough();

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
