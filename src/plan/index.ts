/**
 * The planner: a validated workflow and an observation of the live world in, a plan out (the
 * contract with the engine is types.ts), and the plan as a runbook for people.
 *
 * Pure: no I/O, no clock, no randomness (lint-enforced); it reads the world only through the
 * ObservedInventory it is given, and the SHA-256 of its hash is handed in. Must not import
 * (lint-enforced): any node:* module, the engine, adapters, probes, src/app, src/cli, the demo,
 * config, the logger, or a package but zod and yaml.
 */
export { balancerTags, createBalancerRequest, MANAGED_BY_TAG } from './balancer-identity.js';
export { type BatchCandidate, type BatchLimits, cutBatches } from './batches.js';
export { canonicalJson } from './canonical-json.js';
export { formatDuration } from './describe.js';
export { planFleetRollout } from './fleet-plan.js';
export {
  type Attachment,
  attachmentsOf,
  type FleetSurvey,
  type ObservedFleet,
  type ObservedFleetBalancer,
  renderFleetSurvey,
  type SurveyedServer,
  surveyFleet,
} from './fleet-survey.js';
export { type PlanDifferences, planDifferences } from './plan-differences.js';
export { type HashInput, hashPlan, hashWorkflowText, type Sha256Hex } from './plan-hash.js';
export { type PlanSource, planRollout } from './plan-rollout.js';
export { rerunWarnings } from './rerun-safety.js';
export { gateLines, renderRunbook, sectionOf } from './runbook.js';
export type * from './types.js';
export { PLAN_SCHEMA_VERSION } from './types.js';
export { undoLine } from './undo.js';
