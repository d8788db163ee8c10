/**
 * The asynchrony knob (off by default): after a listener start or a backend change, a load
 * balancer keeps "configuring" for `configuringDelayMs`; further changes in that time answer
 * ServiceIsConfiguring, as the real SLB does while a previous change settles (Terraform retries it).
 */
import type { EmulatorContext } from '../emulator/context.js';
import { ServiceIsConfiguring } from './errors.js';
import type { LoadBalancer } from './store.js';

export function assertSettled(loadBalancer: LoadBalancer, ctx: EmulatorContext): void {
  if (ctx.configuringDelayMs > 0 && ctx.now() < loadBalancer.busyUntil) {
    throw new ServiceIsConfiguring();
  }
}

/** Starts the settle period of a change; returns when it ends. */
export function markConfiguring(loadBalancer: LoadBalancer, ctx: EmulatorContext): number {
  loadBalancer.busyUntil = ctx.now() + ctx.configuringDelayMs;
  return loadBalancer.busyUntil;
}
