/**
 * Cross-field checks: combinations each field allows alone but not together. Run after the
 * schema accepted the file; every check reports all it finds.
 */
import type { RawIssue } from '../issue.js';
import { checkAccess, checkNotify } from './access-checks.js';
import { checkAlertGateSecrets, checkRedisInventorySecret } from './alert-gate-checks.js';
import type { CheckContext } from './check-context.js';
import { checkCloudAssistantTimeouts } from './cloud-assistant-checks.js';
import { checkDrainFilters } from './drain-filter-checks.js';
import { checkBackends, checkBudget, checkGroupsAndOrder } from './fleet-checks.js';
import { checkGates } from './gate-checks.js';
import { checkLoadBalancer } from './load-balancer-checks.js';
import { checkRedisMember } from './member-checks.js';
import { checkDrain, checkHealthAndRestore, checkPatchAndHooks } from './timing-checks.js';

export { listedInstanceIds } from './check-context.js';

const CHECKS = [
  checkLoadBalancer,
  checkBackends,
  checkBudget,
  checkGroupsAndOrder,
  checkDrain,
  checkDrainFilters,
  checkHealthAndRestore,
  checkPatchAndHooks,
  checkGates,
  checkAccess,
  checkCloudAssistantTimeouts,
  checkNotify,
  checkAlertGateSecrets,
  checkRedisInventorySecret,
  checkRedisMember,
];

export function crossCheck(context: CheckContext): RawIssue[] {
  return CHECKS.flatMap((check) => check(context));
}
