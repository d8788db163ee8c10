/**
 * DescribeHealthStatus: each backend of each listener with the health the world's checks see.
 * `unavailable` while a listener is stopped, has checks off, or has not checked yet. A backend at
 * weight 0 is never shown `abnormal` (docs/aliyun.md, "SLB requests and answers": "its health is
 * not shown as `abnormal`"); it shows `unavailable` instead, while the admin state keeps the
 * world's raw verdict.
 */
import type { EmulatorContext } from '../emulator/context.js';
import type { Handler } from '../server/product.js';
import type { BackendHealthState, BackendTarget } from '../world/types.js';
import { backendTargets } from './data-plane.js';
import { ListenerNotFound } from './errors.js';
import { type Listener, type LoadBalancer, listenerStatus } from './store.js';

export function reportedHealth(
  loadBalancer: LoadBalancer,
  listener: Listener,
  target: BackendTarget,
  ctx: EmulatorContext,
): BackendHealthState {
  if (listenerStatus(listener, ctx.now()) === 'stopped' || !listener.healthCheck.enabled) {
    return 'unavailable';
  }
  const health = ctx.world.backendHealth(loadBalancer.id, listener.port, target.serverId);
  return health === 'abnormal' && target.weight === 0 ? 'unavailable' : health;
}

const DescribeHealthStatus: Handler<EmulatorContext> = ({ params, ctx }) => {
  const loadBalancer = ctx.slb.get(params.required('LoadBalancerId'));
  const port = params.int('ListenerPort', { min: 1, max: 65535 });
  const protocol = params.string('ListenerProtocol')?.toLowerCase();
  let listeners = [...loadBalancer.listeners.values()];
  if (port !== undefined) {
    listeners = listeners.filter((listener) => listener.port === port);
    if (listeners.length === 0) throw new ListenerNotFound();
  }
  if (protocol) listeners = listeners.filter((listener) => listener.protocol === protocol);
  const entries = listeners.flatMap((listener) =>
    backendTargets(loadBalancer, listener, ctx).map((target) => ({
      ListenerPort: listener.port,
      Protocol: listener.protocol,
      ServerId: target.serverId,
      ServerIp: target.ip,
      Port: target.port,
      ServerHealthStatus: reportedHealth(loadBalancer, listener, target, ctx),
    })),
  );
  return { BackendServers: { BackendServer: entries } };
};

export const healthHandlers: Record<string, Handler<EmulatorContext>> = { DescribeHealthStatus };
