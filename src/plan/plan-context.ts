/**
 * What every part of the planner reads: the spec, the observation, the balancer as this plan
 * sees it (existing, or created by the plan and known by reference), the listeners that will
 * exist, and the collector of problems.
 */
import type {
  BackendHealthStatus,
  BackendServer,
  Listener,
  ListenerConfig,
} from '../ports/index.js';
import type { WorkflowSpec } from '../workflow/index.js';
import type { Sha256Hex } from './plan-hash.js';
import type { PlanProblems } from './plan-problems.js';
import type { MaybeRef, ObservedInventory, ZeroWeightChoices } from './types.js';

export interface BalancerView {
  /** True when the balancer exists now (given by id, or found by name and tags). */
  exists: boolean;
  id: MaybeRef<string>;
  address: MaybeRef<string>;
  name: string;
  /** For descriptions: `web-slb (lb-1)` or `web-slb (created by this run)`. */
  label: string;
  backends: BackendServer[];
  health: BackendHealthStatus[];
  /** Listeners as observed (none for a balancer this plan creates). */
  observedListeners: Listener[];
  /** Its tags as observed, or those a balancer this plan creates is created with. */
  tags: Record<string, string>;
}

export interface PlanContext {
  spec: WorkflowSpec;
  inventory: ObservedInventory;
  balancer: BalancerView;
  /** Listeners the balancer will have once prepared: the workflow's, else the observed ones. */
  listeners: ListenerConfig[];
  problems: PlanProblems;
  /** What the operator said about servers found at weight 0. */
  choices: ZeroWeightChoices;
  /** SHA-256, handed in: the planner imports no node:crypto. */
  sha256: Sha256Hex;
}

export const LOAD_BALANCER_ID_REF = { ref: 'loadBalancer.id' } as const;
export const LOAD_BALANCER_ADDRESS_REF = { ref: 'loadBalancer.address' } as const;

/** `value`, or how the runbook shows a reference resolved at run time. */
export function showRef(value: MaybeRef<string>): string {
  if (typeof value === 'string') return value;
  return value.ref === 'loadBalancer.id' ? "<new balancer's id>" : "<new balancer's address>";
}
