/**
 * Resolving the plan's symbolic references (`{ref: 'loadBalancer.id'}`) from what this run has
 * journaled (the result of `lb.create`) or the existing balancer named by the plan.
 */
import { DrainctlError } from '../../errors/index.js';
import type { MaybeRef, Ref } from '../../plan/types.js';
import type { RunState } from '../journal/run-state.js';

export function isRef(value: unknown): value is Ref {
  return (
    typeof value === 'object' &&
    value !== null &&
    'ref' in value &&
    typeof (value as { ref: unknown }).ref === 'string' &&
    Object.keys(value).length === 1
  );
}

export function resolveRef<T>(value: MaybeRef<T>, state: RunState): T | string {
  if (!isRef(value)) return value;
  const resolved =
    value.ref === 'loadBalancer.id' ? state.refs.loadBalancerId : state.refs.loadBalancerAddress;
  if (resolved === undefined) {
    throw new DrainctlError(
      'UNRESOLVED_REF',
      `${value.ref} is not known yet: the step that provides it has not run`,
      { hint: 'the plan uses a value before the step that creates it; report this plan' },
    );
  }
  return resolved;
}

/** Resolve every reference anywhere inside `params` (health checks may carry one too). */
export function resolveDeep<T>(params: T, state: RunState): T {
  if (isRef(params)) return resolveRef(params, state) as T;
  if (Array.isArray(params)) return params.map((p) => resolveDeep(p, state)) as T;
  if (params !== null && typeof params === 'object') {
    return Object.fromEntries(
      Object.entries(params).map(([k, v]) => [k, resolveDeep(v, state)]),
    ) as T;
  }
  return params;
}
