/**
 * A keepalived (VRRP) active/standby pair: the LoadBalancer port that moves its VIP between the
 * two nodes by stopping and starting keepalived, refusing a split brain or a pair with no VIP
 * holder. Must not import other adapters, the engine or the planner.
 */
export {
  createKeepalivedPair,
  heldVipTag,
  type KeepalivedNode,
  type KeepalivedPairOptions,
} from './keepalived-pair.js';
export { type NodeState, type VrrpState, vrrpState } from './pair-state.js';
