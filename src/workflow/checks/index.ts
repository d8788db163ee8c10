/**
 * Cross-field checks: combinations each field allows alone but not together. Run after the
 * schema accepted the file; every check reports all it finds.
 */
import type { RawIssue } from '../issue.js';
import { checkAccess, checkNotify } from './access.js';
import { checkCloudAssistantTimeouts } from './cloud-assistant.js';
import type { CheckContext } from './context.js';
import { checkDrainFilters } from './drain-filters.js';
import { checkBackends, checkBudget, checkGroupsAndOrder } from './fleet.js';
import { checkLoadBalancer } from './load-balancer.js';
import { checkDrain, checkHealthAndRestore, checkPatchAndHooks } from './timing.js';

export { listedInstanceIds } from './context.js';

const CHECKS = [
  checkLoadBalancer,
  checkBackends,
  checkBudget,
  checkGroupsAndOrder,
  checkDrain,
  checkDrainFilters,
  checkHealthAndRestore,
  checkPatchAndHooks,
  checkAccess,
  checkCloudAssistantTimeouts,
  checkNotify,
];

export function crossCheck(context: CheckContext): RawIssue[] {
  return CHECKS.flatMap((check) => check(context));
}
