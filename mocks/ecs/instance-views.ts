/**
 * DescribeInstances items, names and types as the ECS SDK models declare them. The status comes
 * from the world; everything else from the topology.
 */
import { isoSeconds } from '../emulator/ids.js';
import type { EcsInstance } from './store.js';

export function instanceView(instance: EcsInstance, status: string): Record<string, unknown> {
  const created = isoSeconds(instance.createdAt).replace(/:\d{2}Z$/, 'Z');
  return {
    InstanceId: instance.id,
    InstanceName: instance.name,
    HostName: instance.hostname,
    Description: '',
    Status: status,
    RegionId: instance.regionId,
    ZoneId: instance.zone,
    InstanceType: instance.instanceType,
    InstanceTypeFamily: instance.instanceType.split('.').slice(0, 2).join('.'),
    Cpu: 2,
    Memory: 8192,
    OSName: instance.osName,
    OSNameEn: instance.osName,
    OSType: instance.osType,
    ImageId:
      instance.osType === 'windows'
        ? 'win2022_21H2_x64_dtc_en-us_40G_alibase_20240716.vhd'
        : 'centos_7_9_x64_20G_alibase_20240628.vhd',
    CreationTime: created,
    StartTime: created,
    ExpiredTime: '2099-12-31T15:59Z',
    InstanceChargeType: 'PostPaid',
    InternetChargeType: 'PayByTraffic',
    InstanceNetworkType: 'vpc',
    IoOptimized: true,
    DeletionProtection: false,
    DeviceAvailable: true,
    Recyclable: false,
    StoppedMode: 'Not-applicable',
    SerialNumber: `emu-${instance.id}`,
    VpcAttributes: {
      VpcId: instance.vpcId,
      VSwitchId: instance.vSwitchId,
      NatIpAddress: '',
      PrivateIpAddress: { IpAddress: [instance.privateIp] },
    },
    InnerIpAddress: { IpAddress: [] },
    PublicIpAddress: { IpAddress: [] },
    EipAddress: { AllocationId: '', IpAddress: '', InternetChargeType: '' },
    SecurityGroupIds: { SecurityGroupId: [instance.securityGroupId] },
    NetworkInterfaces: {
      NetworkInterface: [
        {
          NetworkInterfaceId: `eni-${instance.id.slice(2)}`,
          PrimaryIpAddress: instance.privateIp,
          Type: 'Primary',
          MacAddress: '00:16:3e:00:00:00',
        },
      ],
    },
    OperationLocks: { LockReason: [] },
    Tags: {
      Tag: Object.entries(instance.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
    },
  };
}
