/**
 * A `drain` block on its own, for `drainctl watch`: the same schema and the same filter checks
 * as a workflow's `drain`, so a flag is refused exactly when the same value in a workflow would
 * be, with the same words. Paths in the issues are inside the block (`probe.filter.ignorePaths`).
 */
import { drainFilterIssues } from './checks/drain-filter-checks.js';
import type { RawIssue } from './issue.js';
import { type DrainSpec, drainSchema } from './schema/drain-schema.js';
import { expectedPhrase, fromZodIssues } from './zod-issues.js';

export function parseDrainBlock(input: unknown): { drain: DrainSpec } | { issues: RawIssue[] } {
  const result = drainSchema.safeParse(input, { reportInput: true, error: expectedPhrase });
  if (!result.success) return { issues: fromZodIssues(result.error.issues) };
  const issues = drainFilterIssues(result.data);
  return issues.length > 0 ? { issues } : { drain: result.data };
}
