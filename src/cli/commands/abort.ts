import type { Command } from 'commander';
import { ensureWritableHome } from '../../config/index.js';
import { requestAbort } from '../../engine/index.js';
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
      const result = await requestAbort(home, runId);
      ctx.stdout.line(result.message);
      ctx.stdout.line(`  follow it with: drainctl status ${runId}`);
    });
}
