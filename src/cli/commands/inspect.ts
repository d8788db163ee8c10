/**
 * `drainctl inspect <workflow> [--json]`: a read-only pre-flight (src/app/inspect.ts). Exit 0
 * when every check passes, 2 when one fails, 3 when the workflow is invalid. Changes nothing.
 */
import type { Command } from 'commander';
import { inspectWorkflowFile, withObservationBuckets } from '../../app/index.js';
import { ExitCode } from '../../errors/index.js';
import type { CliContext } from '../cli-context.js';
import { renderInspect } from './inspect-render.js';

export function registerInspect(program: Command, ctx: CliContext): void {
  program
    .command('inspect')
    .description(
      'read-only pre-flight: what drainctl sees live, and a checklist against the workflow',
    )
    .argument('<workflow>', 'workflow YAML file')
    .option('--json', 'print inventory and checklist as one JSON document')
    .addHelpText(
      'after',
      '\nExit codes: 0 every check passes, 2 a check fails, 3 invalid workflow.',
    )
    .action(async (file: string, options: { json?: boolean }) => {
      const environment = ctx.environment();
      const report = await withObservationBuckets(environment, ctx.logger, (rateBuckets) =>
        inspectWorkflowFile(file, {
          env: process.env,
          environment,
          logger: ctx.logger,
          ...(rateBuckets === undefined ? {} : { rateBuckets }),
        }),
      );
      if (options.json) ctx.stdout.json(report);
      else renderInspect(report, ctx.stdout);
      ctx.setExitCode(report.ok ? ExitCode.ok : ExitCode.halted);
    });
}
