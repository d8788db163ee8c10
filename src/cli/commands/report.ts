/**
 * `drainctl report <run-id> --html FILE [--json]`: a run's timeline and runbook from its journal
 * (src/app/run-report.ts) as one self-contained HTML file for a change ticket, or as JSON. Reads
 * the journal only; works for finished and unfinished runs.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { reportRun, withRunStorage } from '../../app/index.js';
import { InvalidInputError } from '../../errors/index.js';
import type { CliContext } from '../cli-context.js';

export function registerReport(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .description(
      "a run's timeline and runbook from its journal: one self-contained HTML file, or JSON",
    )
    .argument('<run-id>', 'id of the run')
    .option('--html <file>', 'write the report as one self-contained HTML file')
    .option('--json', 'print the timeline as one JSON document')
    .action(async (runId: string, options: { html?: string; json?: boolean }) => {
      if (options.html === undefined && options.json !== true) {
        throw new InvalidInputError(
          'drainctl report: expected --html FILE or --json, found neither',
          {
            expected: '--html FILE or --json',
            found: 'neither',
          },
        );
      }
      const htmlFile = options.html === undefined ? undefined : resolve(options.html);
      const environment = ctx.environment();
      const timeline = await withRunStorage(environment, ctx.logger, (shared) =>
        reportRun({
          home: environment.home,
          runId,
          ...(htmlFile === undefined ? {} : { htmlFile }),
          ...(shared === undefined ? {} : { shared }),
        }),
      );
      if (options.json === true) {
        ctx.stdout.json(timeline);
        return;
      }
      ctx.stdout.line(
        `wrote ${htmlFile}: run ${timeline.runId} (${timeline.workflow.name}), ${timeline.outcome}, ${timeline.servers.length} server(s)`,
      );
    });
}
