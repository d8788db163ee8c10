/**
 * Workflows for planner and engine tests: an example of workflows/ (or any file of the
 * repository) or YAML text, validated as `drainctl plan` validates them.
 */
import { readFileSync } from 'node:fs';
import { type LoadedWorkflow, parseWorkflow } from '#src/workflow/index.js';
import { repoRoot } from './cli-runner.js';

/** A workflow of workflows/ (or any file under the repository), validated. */
export function loadExample(relative: string, env: Record<string, string> = {}): LoadedWorkflow {
  return parseWorkflow(
    { file: relative, text: readFileSync(`${repoRoot}${relative}`, 'utf8') },
    env,
  );
}

/** A workflow from YAML text. */
export function workflowFrom(text: string, env: Record<string, string> = {}): LoadedWorkflow {
  return parseWorkflow({ file: 'test.yaml', text }, env);
}
