/**
 * Does a state gate's command pass? It must have finished (a timeout, a cancelled command or one
 * that never ran does not pass, whatever its code) with the exit code the workflow names, and its
 * output must match `outputMatches` when there is one. Pure.
 */
import type { StateGateCheck } from '../../plan/types.js';
import type { CommandResult } from '../../ports/index.js';
import { describeResult } from './command-result.js';

export interface StateGateAnswer {
  passed: boolean;
  /** One line: what was asked and what came back. */
  detail: string;
}

export function judgeStateGate(
  check: Extract<StateGateCheck, { kind: 'command' }>,
  result: CommandResult,
): StateGateAnswer {
  const said = describeResult(result);
  const finished = result.status === 'success' || result.status === 'failed';
  if (!finished || result.exitCode !== check.exitCode) {
    return { passed: false, detail: `expected exit ${check.exitCode}, got ${said}` };
  }
  if (check.outputMatches !== undefined && !new RegExp(check.outputMatches).test(result.output)) {
    return {
      passed: false,
      detail: `exit ${check.exitCode}, but the output does not match /${check.outputMatches}/: ${said}`,
    };
  }
  return { passed: true, detail: said };
}
