/**
 * What every API handler gets: the stores (what the cloud says), the world (what happens), the
 * topology and address plan, the clock and the asynchrony knob. Built by start-emulator.ts; the
 * world and stores are replaced on reset, so handlers receive a fresh context per call.
 */
import type { DnsStore } from '../dns/store.js';
import type { EcsStore } from '../ecs/store.js';
import type { SlbStore } from '../slb/store.js';
import type { Topology } from '../topology/schema.js';
import type { World } from '../world/types.js';
import type { AddressPlan } from './addresses.js';

export interface EmulatorContext {
  readonly world: World;
  readonly topology: Topology;
  readonly addresses: AddressPlan;
  readonly slb: SlbStore;
  readonly dns: DnsStore;
  readonly ecs: EcsStore;
  /** 0: changes settle at once. > 0: SLB answers ServiceIsConfiguring for this long after a change. */
  readonly configuringDelayMs: number;
  /** Multiplies listener health-check intervals and timeouts in the world (tests: < 1). */
  readonly healthCheckScale: number;
  now(): number;
  /** Pushes the complete Alidns record set to the world's DNS server. */
  publishDns(): void;
}
