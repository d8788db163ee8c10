/**
 * Listener actions. Listeners are created stopped; StartLoadBalancerListener binds the world's
 * proxy on the balancer's address and port and reports `starting`, then `running` (at once, or
 * after the settle time when the asynchrony knob is on).
 */
import type { EmulatorContext } from '../emulator/context.js';
import { ApiError } from '../server/api-error.js';
import type { Params } from '../server/params.js';
import type { Handler } from '../server/product.js';
import { assertSettled, markConfiguring } from './configuring.js';
import { startDataPlane, stopDataPlane } from './data-plane.js';
import {
  ListenerAlreadyExists,
  ListenerNotFound,
  ListenerResourceNotFound,
  VServerGroupIdNotFound,
} from './errors.js';
import {
  httpListenerFromParams,
  httpsListenerFromParams,
  tcpListenerFromParams,
  udpListenerFromParams,
} from './listener-config.js';
import {
  httpListenerView,
  httpsListenerView,
  tcpListenerView,
  udpListenerView,
} from './listener-views.js';
import { type Listener, type LoadBalancer, listenerStatus } from './store.js';

const MAX_LISTENERS = 50;

function create(fromParams: (params: Params) => Listener): Handler<EmulatorContext> {
  return ({ params, ctx }) => {
    const loadBalancer = ctx.slb.get(params.required('LoadBalancerId'));
    const listener = fromParams(params);
    assertSettled(loadBalancer, ctx);
    if (loadBalancer.listeners.has(listener.port)) throw new ListenerAlreadyExists();
    if (loadBalancer.listeners.size >= MAX_LISTENERS) throw new ApiError('ListenerNumberOverLimit');
    if (listener.vServerGroupId !== undefined) {
      const group = ctx.slb.vServerGroup(listener.vServerGroupId);
      if (group.loadBalancerId !== loadBalancer.id) throw new VServerGroupIdNotFound();
    }
    loadBalancer.listeners.set(listener.port, listener);
    return {};
  };
}

/** The listener on ListenerPort (and ListenerProtocol, when given), or ListenerNotFound. */
function findListener(params: Params, ctx: EmulatorContext): [LoadBalancer, Listener] {
  const loadBalancer = ctx.slb.get(params.required('LoadBalancerId'));
  const port = params.requiredInt('ListenerPort', { min: 1, max: 65535 });
  const protocol = params.string('ListenerProtocol')?.toLowerCase();
  const listener = loadBalancer.listeners.get(port);
  if (!listener || (protocol && protocol !== listener.protocol)) throw new ListenerNotFound();
  return [loadBalancer, listener];
}

const StartLoadBalancerListener: Handler<EmulatorContext> = async ({ params, ctx }) => {
  const [loadBalancer, listener] = findListener(params, ctx);
  if (listenerStatus(listener, ctx.now()) !== 'stopped') return {};
  assertSettled(loadBalancer, ctx);
  listener.status = 'starting';
  try {
    listener.dataPlane = await startDataPlane(loadBalancer, listener, ctx);
  } catch (error) {
    listener.status = 'stopped';
    throw error;
  }
  if (ctx.configuringDelayMs > 0) {
    listener.runningAt = markConfiguring(loadBalancer, ctx);
  } else {
    listener.status = 'running';
  }
  return {};
};

const StopLoadBalancerListener: Handler<EmulatorContext> = async ({ params, ctx }) => {
  const [loadBalancer, listener] = findListener(params, ctx);
  if (listener.status === 'stopped') return {};
  assertSettled(loadBalancer, ctx);
  await stopDataPlane(loadBalancer, listener, ctx);
  listener.status = 'stopped';
  listener.runningAt = undefined;
  if (ctx.configuringDelayMs > 0) markConfiguring(loadBalancer, ctx);
  return {};
};

const DeleteLoadBalancerListener: Handler<EmulatorContext> = async ({ params, ctx }) => {
  const [loadBalancer, listener] = findListener(params, ctx);
  assertSettled(loadBalancer, ctx);
  await stopDataPlane(loadBalancer, listener, ctx);
  loadBalancer.listeners.delete(listener.port);
  return {};
};

function describe(
  protocol: Listener['protocol'],
  view: typeof tcpListenerView,
): Handler<EmulatorContext> {
  return ({ params, ctx }) => {
    const loadBalancer = ctx.slb.get(params.required('LoadBalancerId'));
    const port = params.requiredInt('ListenerPort', { min: 1, max: 65535 });
    const listener = loadBalancer.listeners.get(port);
    if (!listener || listener.protocol !== protocol) throw new ListenerResourceNotFound();
    return view(loadBalancer, listener, listenerStatus(listener, ctx.now()));
  };
}

export const listenerHandlers: Record<string, Handler<EmulatorContext>> = {
  CreateLoadBalancerTCPListener: create(tcpListenerFromParams),
  CreateLoadBalancerUDPListener: create(udpListenerFromParams),
  CreateLoadBalancerHTTPListener: create(httpListenerFromParams),
  CreateLoadBalancerHTTPSListener: create(httpsListenerFromParams),
  StartLoadBalancerListener,
  StopLoadBalancerListener,
  DeleteLoadBalancerListener,
  DescribeLoadBalancerTCPListenerAttribute: describe('tcp', tcpListenerView),
  DescribeLoadBalancerUDPListenerAttribute: describe('udp', udpListenerView),
  DescribeLoadBalancerHTTPListenerAttribute: describe('http', httpListenerView),
  DescribeLoadBalancerHTTPSListenerAttribute: describe('https', httpsListenerView),
};
