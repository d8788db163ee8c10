/**
 * Starting and stopping a listener's data plane in the world. The world reads the backends afresh
 * for every new connection or request, so weight changes apply to new work at once while open
 * connections stay where they are.
 */
import { isAddressUnavailable, loopbackHelp } from '../emulator/addresses.js';
import type { EmulatorContext } from '../emulator/context.js';
import { InternalError } from '../server/api-error.js';
import type { BackendTarget, ListenerHealthCheckConfig, ListenerSpec } from '../world/types.js';
import type { Listener, LoadBalancer } from './store.js';

/**
 * The world's address of the listener's data plane; undefined for UDP, which the simulated world
 * does not forward (its instances' apps speak HTTP over TCP): a UDP listener runs in the API only.
 */
export async function startDataPlane(
  loadBalancer: LoadBalancer,
  listener: Listener,
  ctx: EmulatorContext,
): Promise<string | undefined> {
  if (listener.protocol === 'udp') return undefined;
  const spec: ListenerSpec = {
    loadBalancerId: loadBalancer.id,
    address: loadBalancer.address,
    port: listener.port,
    protocol: listener.protocol,
    backendPort: listener.backendServerPort ?? 0,
    scheduler: listener.scheduler,
    healthCheck: scaled(listener.healthCheck, ctx.healthCheckScale),
    xForwardedFor: listener.xForwardedFor === 'on',
    idleTimeoutSeconds: listener.idleTimeout,
    requestTimeoutSeconds: listener.requestTimeout,
  };
  try {
    const { dataPlane } = await ctx.world.startListener(spec, () =>
      backendTargets(loadBalancer, listener, ctx),
    );
    return dataPlane;
  } catch (error) {
    if (isAddressUnavailable(error)) {
      throw new InternalError(
        loopbackHelp(`${loadBalancer.address}:${listener.port}`, [loadBalancer.address]),
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new InternalError(`The emulator could not start the listener's data plane: ${reason}`);
  }
}

export async function stopDataPlane(
  loadBalancer: LoadBalancer,
  listener: Listener,
  ctx: EmulatorContext,
): Promise<void> {
  if (listener.dataPlane === undefined) return;
  await ctx.world.stopListener(loadBalancer.id, listener.port);
  listener.dataPlane = undefined;
}

/** Health-check seconds as the world should run them (the API keeps reporting the configured ones). */
function scaled(check: ListenerHealthCheckConfig, scale: number): ListenerHealthCheckConfig {
  if (scale === 1) return check;
  return {
    ...check,
    intervalSeconds: check.intervalSeconds * scale,
    timeoutSeconds: check.timeoutSeconds * scale,
  };
}

/** The backends a listener forwards to right now: its vServer group, or the default group. */
export function backendTargets(
  loadBalancer: LoadBalancer,
  listener: Listener,
  ctx: EmulatorContext,
): BackendTarget[] {
  const servers =
    listener.vServerGroupId !== undefined
      ? (ctx.slb.vServerGroups.get(listener.vServerGroupId)?.servers ?? [])
      : [...loadBalancer.backends.values()].map((server) => ({
          ...server,
          port: listener.backendServerPort ?? 0,
        }));
  return servers.flatMap((server) => {
    const ip = ctx.ecs.privateIp(server.serverId);
    return ip === undefined
      ? []
      : [{ serverId: server.serverId, ip, port: server.port, weight: server.weight }];
  });
}
