/**
 * How each server is reached for commands: Cloud Assistant by instance id, or SSH with the
 * workflow's settings (defaults merged with the server's own). The SSH address is the server's
 * private IP unless the workflow says otherwise. And how a target is named to the Host that
 * serves it, which the engine's steps and the composition root's SSH hosts both key by.
 */
import type { SshSettingsSpec } from '../workflow/index.js';
import type { FleetNode } from './fleet.js';
import type { PlanContext } from './plan-context.js';
import type { HostTarget, Plan } from './types.js';

export const DEFAULT_SSH_PORT = 22;

export type SshTarget = Extract<HostTarget, { kind: 'ssh' }>;

/** The target of patch, verify and on-host hooks for `node`. */
export function hostTarget(ctx: PlanContext, node: FleetNode): HostTarget {
  const via = ctx.spec.access.nodes[node.id]?.via ?? ctx.spec.access.via;
  if (via === 'ecs') return ecsTarget(node);
  return sshTarget(ctx, node) ?? ecsTarget(node);
}

/** Cloud Assistant runs PowerShell on a Windows instance, shell on any other. */
function ecsTarget(node: FleetNode): HostTarget {
  return node.instance.osType === 'windows'
    ? { kind: 'ecs', instanceId: node.id, language: 'powershell' }
    : { kind: 'ecs', instanceId: node.id };
}

/** SSH settings for `node` (also used to tail its access log); a problem when incomplete. */
export function sshTarget(ctx: PlanContext, node: FleetNode): SshTarget | undefined {
  const own = ctx.spec.access.nodes[node.id]?.ssh;
  const settings: SshSettingsSpec = { ...ctx.spec.access.ssh, ...own };
  const path = own === undefined ? ['access', 'ssh'] : ['access', 'nodes', node.id, 'ssh'];
  const address = sshAddress(settings.address, node);
  if (address === undefined) {
    ctx.problems.add(
      [...path, 'address'],
      `an address to reach ${node.id} over SSH`,
      settings.address === 'publicIp'
        ? 'the instance has no public IP'
        : 'the instance has no private IP',
    );
    return undefined;
  }
  if (settings.user === undefined) {
    ctx.problems.add([...path, 'user'], `an SSH user for ${node.id}`, 'nothing');
    return undefined;
  }
  return {
    kind: 'ssh',
    address,
    port: settings.port ?? DEFAULT_SSH_PORT,
    username: settings.user,
    ...(settings.privateKey === undefined ? {} : { privateKeyPath: settings.privateKey }),
    ...(settings.knownHosts === undefined ? {} : { knownHostsPath: settings.knownHosts }),
    ...(settings.hostKeyFingerprint === undefined
      ? {}
      : { hostKeyFingerprint: settings.hostKeyFingerprint }),
  };
}

function sshAddress(setting: string | undefined, node: FleetNode): string | undefined {
  if (setting === undefined || setting === 'privateIp') return node.instance.privateIp;
  if (setting === 'publicIp') return node.instance.publicIp;
  return setting;
}

/** The address drainctl checks the service at directly: the private IP (or the SSH address). */
export function serviceAddress(ctx: PlanContext, node: FleetNode): string | undefined {
  if (node.instance.privateIp !== undefined) return node.instance.privateIp;
  const literal = ctx.spec.access.nodes[node.id]?.ssh?.address;
  return literal === undefined || literal === 'publicIp' || literal === 'privateIp'
    ? node.instance.publicIp
    : literal;
}

/** How the runbook names the way a step reaches its machine. */
export function describeHost(host: HostTarget): string {
  if (host.kind === 'ecs')
    return host.language === 'powershell' ? 'Cloud Assistant (PowerShell)' : 'Cloud Assistant';
  if (host.kind === 'ssh') return `SSH ${host.username}@${host.address}:${host.port}`;
  return 'this machine';
}

/** `i-abc (web-1)` */
export function nodeLabel(node: { id: string; name: string }): string {
  return node.name === '' || node.name === node.id ? node.id : `${node.id} (${node.name})`;
}

/** The ECS instance id, `local` for the machine drainctl runs on, `ssh:user@address:port`. */
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
