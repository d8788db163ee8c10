/**
 * How a plan's host target is named to the Host that serves it: the ECS instance id, `local`
 * for the machine drainctl runs on, `ssh:user@address:port` for SSH. The composition root keys
 * its SSH hosts the same way.
 */
import type { HostTarget, Plan } from '../plan/types.js';

export function hostInstanceId(target: HostTarget): string {
  switch (target.kind) {
    case 'ecs':
      return target.instanceId;
    case 'local':
      return 'local';
    case 'ssh':
      return `ssh:${target.username}@${target.address}:${target.port}`;
  }
}

/** The machine a node's steps run on, as the plan names it (its patch, reboot, verify, hooks). */
export function nodeHost(plan: Plan, nodeId: string): HostTarget | undefined {
  for (const step of plan.steps) {
    if (step.node !== nodeId || step.action === 'hook') continue;
    if ('host' in step.params) return step.params.host;
  }
  return undefined;
}
