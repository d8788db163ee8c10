/**
 * The plan's fingerprint: sha256 of the canonical JSON of everything in the plan except the
 * observation it was made from (`inventory`, which holds a timestamp) and the hash itself. An
 * approved plan's hash lets a run refuse a plan that differs in any step, parameter or batch.
 */
import { canonicalJson } from './canonical-json.js';
import { sha256Hex } from './sha256.js';
import type { Plan } from './types.js';

export type UnhashedPlan = Omit<Plan, 'sha256'>;

/**
 * @example hashPlan(plan) === plan.sha256 // a plan read back from a journal is intact
 */
export function hashPlan(plan: UnhashedPlan | Plan): string {
  const { inventory: _inventory, ...hashed } = plan;
  const { sha256: _sha256, ...rest } = hashed as Partial<Plan>;
  return sha256Hex(canonicalJson(rest));
}

/** sha256 of a workflow file's text, as recorded in `plan.workflow.sha256`. */
export function hashWorkflowText(text: string): string {
  return sha256Hex(text);
}
