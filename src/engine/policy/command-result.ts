/**
 * A command's result in one line, for the journal, reports and the judgements that quote it:
 * its status, exit code, the cloud's error info and the last line of its output. Pure.
 */
import type { CommandResult } from '../../ports/index.js';

export function describeResult(result: CommandResult): string {
  const last = result.output.trim().split('\n').at(-1) ?? '';
  const info = result.errorInfo ? `, ${result.errorInfo}` : '';
  return `${result.status}, exit ${result.exitCode ?? 'none'}${info}${last ? `: ${last}` : ''}`;
}
