/**
 * One line of the `drainctl inspect` checklist, and what the checks share.
 */
import type { ObservedInventory } from '../plan/types.js';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckLine {
  /** Stable id for scripts: `credentials`, `balancer`, `listener:tcp:8080`, … */
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
}

export type Observed = NonNullable<ObservedInventory['loadBalancer']>;

export function formatTags(tags: Record<string, string>): string {
  return (
    Object.entries(tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ') || '(no tags)'
  );
}
