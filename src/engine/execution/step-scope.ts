/**
 * Which step (and node) the code running now belongs to, carried through its awaits
 * (AsyncLocalStorage). Adapters report events without knowing the plan — a cloud call being
 * retried — and the engine uses this to say which node's step they slow down, even while the
 * nodes of a batch run side by side.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface StepScope {
  node?: string;
  /** Absent outside a step: a node's own settling (a roll-back), or the run's housekeeping. */
  step?: { id: string; index: number };
}

const scope = new AsyncLocalStorage<StepScope>();

export function inScope<T>(current: StepScope, work: () => Promise<T>): Promise<T> {
  return scope.run(current, work);
}

export function currentScope(): StepScope | undefined {
  return scope.getStore();
}
