/**
 * ECS's API state: the instances of the topology (static attributes; their status is the world's)
 * and Cloud Assistant invocations. Resettable.
 */
import type { AddressPlan } from '../emulator/addresses.js';
import type { Topology } from '../topology/schema.js';
import type { CommandOutcome, InstanceState, World } from '../world/types.js';
import { InvalidInstanceIdNotFound } from './errors.js';

export interface EcsInstance {
  id: string;
  name: string;
  hostname: string;
  privateIp: string;
  instanceType: string;
  zone: string;
  regionId: string;
  osName: string;
  osType: 'linux' | 'windows';
  tags: Record<string, string>;
  createdAt: number;
  vpcId: string;
  vSwitchId: string;
  securityGroupId: string;
}

/** `Terminated`: stopped by StopInvocation before it finished. */
export type InvocationInstanceStatus = 'Running' | CommandOutcome['status'] | 'Terminated';

export interface InvocationInstance {
  instanceId: string;
  status: InvocationInstanceStatus;
  creationTime: string;
  startTime: string;
  outcome?: CommandOutcome;
}

export interface Invocation {
  invokeId: string;
  commandId: string;
  name: string;
  description: string;
  type: string;
  /** The script as it ran (decoded, parameters substituted). */
  content: string;
  timeout: number;
  username: string;
  workingDir: string;
  parameters: string;
  creationTime: string;
  instances: InvocationInstance[];
}

export class EcsStore {
  readonly instances = new Map<string, EcsInstance>();
  readonly invocations = new Map<string, Invocation>();
  /** RunCommand ClientTokens: the invocation each started and the request it came with. */
  readonly runCommandTokens = new Map<string, { invokeId: string; fingerprint: string }>();

  constructor(
    private readonly topology: Topology,
    private readonly addresses: AddressPlan,
    private readonly world: () => World,
    private readonly startedAt: number,
  ) {
    this.reset();
  }

  reset(): void {
    this.instances.clear();
    this.invocations.clear();
    this.runCommandTokens.clear();
    this.topology.instances.forEach((instance, index) => {
      this.instances.set(instance.id, {
        id: instance.id,
        name: instance.name,
        hostname: instance.hostname,
        privateIp: this.addresses.instance(index),
        instanceType: instance.instanceType,
        zone: instance.zone,
        regionId: this.topology.region,
        osName: instance.windows?.osName ?? instance.osName,
        osType: instance.windows === undefined ? 'linux' : 'windows',
        tags: instance.tags,
        createdAt: this.startedAt,
        vpcId: 'vpc-emulator',
        vSwitchId: 'vsw-emulator',
        securityGroupId: 'sg-emulator',
      });
    });
  }

  get(id: string): EcsInstance {
    const instance = this.instances.get(id);
    if (!instance) throw new InvalidInstanceIdNotFound(id);
    return instance;
  }

  privateIp(id: string): string | undefined {
    return this.instances.get(id)?.privateIp;
  }

  /** The world's view of the instance's status. */
  status(id: string): InstanceState | undefined {
    if (!this.instances.has(id)) return undefined;
    return this.world().instance(id)?.status;
  }
}
