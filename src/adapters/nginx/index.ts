/**
 * nginx you run yourself: the LoadBalancer port on an `upstream` block of an nginx
 * configuration file, on one or more nginx hosts reached through the Host port (the local shell
 * or SSH). Must not import other adapters, the engine or the planner.
 */

export { type HotUpgradeOptions, type HotUpgradeStep, hotUpgrade } from './hot-upgrade.js';
export { createNginxUpgrade, keptBinary } from './hot-upgrade-steps.js';
export {
  type ConfigFile,
  type NginxCommandOptions,
  type NginxHost,
  readConfig,
  sha256Of,
} from './nginx-host-commands.js';
export {
  createNginxLoadBalancer,
  type NginxFileBaseline,
  type NginxFileChange,
  type NginxLoadBalancerOptions,
} from './nginx-load-balancer.js';
export { type UpstreamServer, upstreamServers, withServerWeight } from './upstream-config.js';
