import type { Command } from 'commander';
import { NotAvailableError } from '../../errors/index.js';
import type { CliContext } from '../context.js';

export function registerAbort(program: Command, _ctx: CliContext): void {
  program
    .command('abort')
    .description(
      'stop a run after its current step, leaving every node serving or explicitly reported',
    )
    .argument('<run-id>', 'id of the run')
    .action(async () => {
      throw new NotAvailableError('abort', 'issue #5');
    });
}
