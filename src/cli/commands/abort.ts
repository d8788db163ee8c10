/**
 * `drainctl abort <run-id>`: ask a running run to stop after its current step
 * (src/app/abort.ts); it ends halted, every node serving or reported.
 */
import type { Command } from 'commander';
import { abortRun, withRunStorage } from '../../app/index.js';
import { ensureWritableHome } from '../../config/index.js';
import type { CliContext } from '../cli-context.js';

export function registerAbort(program: Command, ctx: CliContext): void {
  program
    .command('abort')
    .description(
      'stop a run after its current step, leaving every node serving or explicitly reported',
    )
    .argument('<run-id>', 'id of the run')
    .action(async (runId: string) => {
      const environment = ctx.environment();
      const { home } = environment;
      ensureWritableHome(home);
      const result = await withRunStorage(environment, ctx.logger, (shared) =>
        abortRun({ home, runId, ...(shared === undefined ? {} : { shared }) }),
      );
      ctx.stdout.line(result.message);
      ctx.stdout.line(`  follow it with: drainctl status ${runId}`);
    });
}
