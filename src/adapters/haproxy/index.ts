/**
 * HAProxy you run yourself: the LoadBalancer port on one backend through the runtime API (the
 * stats socket, on this machine or through the Host port with socat), and its session counts as
 * a drain signal (a TrafficProbe). Must not import other adapters, the engine or the planner.
 */
export {
  createHaproxyLoadBalancer,
  type HaproxyLoadBalancerOptions,
  isOutOfService,
} from './haproxy-load-balancer.js';
export {
  hostRuntimeApi,
  localRuntimeApi,
  type RuntimeApi,
  runtimeSet,
  type ServerStat,
  serverStats,
  serverWeight,
} from './runtime-api.js';
export { createSessionCountProbe, type SessionCountProbeOptions } from './session-count-probe.js';
