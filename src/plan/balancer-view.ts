/**
 * The balancer as this plan sees it: the one the workflow names by id, the one found by name
 * and tags, or one the plan creates (its id and address are then references the engine
 * resolves from the create step's result).
 */
import type { ListenerConfig } from '../ports/index.js';
import type { WorkflowSpec } from '../workflow/index.js';
import { balancerTags } from './balancer-identity.js';
import { listenerConfig } from './listener-config.js';
import {
  type BalancerView,
  LOAD_BALANCER_ADDRESS_REF,
  LOAD_BALANCER_ID_REF,
} from './plan-context.js';
import type { PlanProblems } from './plan-problems.js';
import type { ObservedInventory } from './types.js';

export function balancerView(
  spec: WorkflowSpec,
  inventory: ObservedInventory,
  problems: PlanProblems,
): BalancerView {
  const observed = inventory.loadBalancer;
  const wantedId = spec.loadBalancer.id;
  const create = spec.loadBalancer.create;
  if (observed !== undefined) {
    if (wantedId !== undefined && observed.id !== wantedId) {
      problems.add(
        ['loadBalancer', 'id'],
        `balancer ${wantedId}`,
        `an observation of ${observed.id}`,
      );
    }
    if (create !== undefined && observed.name !== create.name) {
      problems.add(
        ['loadBalancer', 'create', 'name'],
        create.name,
        `a balancer named ${observed.name}`,
      );
    }
    if (observed.status !== 'active') {
      problems.add(
        wantedId !== undefined ? ['loadBalancer', 'id'] : ['loadBalancer', 'create', 'name'],
        'an active load balancer',
        `${observed.name} (${observed.id}) is ${observed.status}`,
      );
    }
    return {
      exists: true,
      id: observed.id,
      address: observed.address,
      name: observed.name,
      label: `${observed.name} (${observed.id})`,
      backends: observed.backends,
      health: observed.health,
      observedListeners: observed.listenerDetails,
      tags: observed.tags,
    };
  }
  if (wantedId !== undefined || create === undefined) {
    problems.add(
      ['loadBalancer', 'id'],
      `an existing load balancer in region ${inventory.region}`,
      `${wantedId ?? 'nothing'}, which does not exist`,
    );
  }
  const name = create?.name ?? wantedId ?? 'load balancer';
  return {
    exists: false,
    id: LOAD_BALANCER_ID_REF,
    address: LOAD_BALANCER_ADDRESS_REF,
    name,
    label: name,
    backends: [],
    health: [],
    observedListeners: [],
    tags: create === undefined ? {} : balancerTags(create),
  };
}

/** The listeners the balancer will have: the workflow's, else the ones it has. */
export function effectiveListeners(spec: WorkflowSpec, view: BalancerView): ListenerConfig[] {
  if (spec.loadBalancer.listeners.length > 0)
    return spec.loadBalancer.listeners.map(listenerConfig);
  return view.observedListeners;
}
