/**
 * The plan's fingerprint: sha256 of the canonical JSON of everything in the plan except the
 * observation it was made from (`inventory`, which holds a timestamp) and the hash itself. An
 * approved plan's hash lets a run refuse a plan that differs in any step, parameter or batch.
 *
 * The planner is pure and imports no node:* module, so the SHA-256 itself is handed in by its
 * callers (src/engine/sha256.ts, node:crypto).
 */
import { writeCanonicalJson } from './canonical-json.js';
import type { Plan } from './types.js';

export type UnhashedPlan = Omit<Plan, 'sha256'>;

/**
 * Text to hash: a string, or a writer that hands the text over chunk by chunk (a plan's
 * canonical JSON, megabytes that need never exist as one string).
 */
export type HashInput = string | ((write: (chunk: string) => void) => void);

/** Hex SHA-256 of the UTF-8 encoding of `text`. */
export type Sha256Hex = (text: HashInput) => string;

/**
 * @example hashPlan(plan, sha256Hex) === plan.sha256 // a plan read back from a journal is intact
 */
export function hashPlan(plan: UnhashedPlan | Plan, sha256: Sha256Hex): string {
  const { inventory: _inventory, ...hashed } = plan;
  const { sha256: _sha256, ...rest } = hashed as Partial<Plan>;
  return sha256((write) => writeCanonicalJson(rest, write));
}

/** sha256 of a workflow file's text, as recorded in `plan.workflow.sha256`. */
export function hashWorkflowText(text: string, sha256: Sha256Hex): string {
  return sha256(text);
}
