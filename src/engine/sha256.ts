/**
 * SHA-256 from node:crypto, for the plan's hash, the workflow text's and a created balancer's
 * ClientToken. The planner is pure and imports no node:* module, so every caller of
 * planRollout and hashPlan hands this in: the engine (to check a plan before it runs or resumes
 * it), the CLI, the library, the demo and the tests.
 */
import { createHash } from 'node:crypto';
import type { Sha256Hex } from '../plan/index.js';

/** @example sha256Hex('') === 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' */
export const sha256Hex: Sha256Hex = (text) => {
  const hash = createHash('sha256');
  if (typeof text === 'string') hash.update(text, 'utf8');
  else text((chunk) => hash.update(chunk, 'utf8'));
  return hash.digest('hex');
};
