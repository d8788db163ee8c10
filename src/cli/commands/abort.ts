/**
 * `drainctl abort <run-id>`: ask a running run to stop after its current step
 * (src/app/abort.ts); it ends halted, every node serving or reported.
 */
import type { Command } from 'commander';
import { abortRun } from '../../app/index.js';
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
      const { home } = ctx.environment();
      ensureWritableHome(home);
      const result = await abortRun({ home, runId });
      ctx.stdout.line(result.message);
      ctx.stdout.line(`  follow it with: drainctl status ${runId}`);
    });
}
