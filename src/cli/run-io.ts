/**
 * What `run` and `resume` share at the terminal: asking for confirmation (only on a TTY; without
 * one, `--yes` is required and its absence is refused before anything else), and printing a
 * run's outcome as lines or as one JSON document.
 */
import { createInterface } from 'node:readline/promises';
import { describeWeight, formatReport, type RunResult } from '../app/index.js';
import { InvalidInputError } from '../errors/index.js';
import type { CliContext } from './cli-context.js';

type ConfirmInput = NodeJS.ReadableStream & { isTTY?: boolean };

/**
 * Refuse at once — before anything is observed or printed — when nobody can be asked (stdin is
 * not a terminal) and `--yes` was not given: a script learns in one line what to pass, instead
 * of reading a whole runbook first. `unattended` is the command that would run it (the hint).
 */
export function refuseUnlessConfirmable(options: {
  yes: boolean;
  unattended: string;
  input?: ConfirmInput;
}): void {
  if (options.yes || (options.input ?? process.stdin).isTTY === true) return;
  throw new InvalidInputError(
    'refusing to change anything: stdin is not a terminal to ask on, and --yes was not given',
    {
      path: 'command line',
      expected: '--yes (no terminal to ask on)',
      found: 'no --yes',
      hint: options.unattended,
    },
  );
}

/** Resolve when the operator said yes; throw when they said no or cannot be asked. */
export async function confirmOrRefuse(
  question: string,
  options: { yes: boolean; unattended: string; input?: ConfirmInput },
): Promise<void> {
  refuseUnlessConfirmable(options);
  if (options.yes) return;
  const input = options.input ?? process.stdin;
  const rl = createInterface({ input, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      throw new InvalidInputError('not confirmed: nothing was changed', {
        path: 'confirmation',
        expected: 'y or yes',
        found: answer.trim() || '(empty)',
      });
    }
  } finally {
    rl.close();
  }
}

/** Print the report (lines, or one JSON document with --json) and set the exit code. */
export function printRunResult(ctx: CliContext, result: RunResult, json: boolean): void {
  if (json) {
    ctx.stdout.json({
      runId: result.runId,
      outcome: result.outcome,
      exitCode: result.exitCode,
      report: result.report,
    });
  } else {
    const lines = formatReport(result.report);
    const colour =
      result.outcome === 'completed' ? 'green' : result.outcome === 'halted' ? 'yellow' : 'red';
    ctx.stdout.line(ctx.stdout.style(colour, lines[0] ?? ''));
    for (const line of lines.slice(1)) ctx.stdout.line(line);
    if (result.outcome !== 'completed') {
      ctx.stdout.line(`  details: drainctl status ${result.runId}`);
    }
    // A failed run must not read like a refusal: both exit 1, but this one changed things.
    if (result.outcome === 'failed') {
      ctx.stderr.line(
        ctx.stderr.style(
          'red',
          `drainctl: RUN_FAILED: run ${result.runId} failed mid-way${result.report.unfinished.length > 0 ? `; not finished: ${result.report.unfinished.map((n) => `${n.name} (${n.state}, ${describeWeight(n)})`).join(', ')}` : ''} (hint: \`drainctl resume ${result.runId}\`)`,
        ),
      );
    }
  }
  ctx.setExitCode(result.exitCode);
}
