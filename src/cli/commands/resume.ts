import type { Command } from 'commander';
import { NotAvailableError } from '../../errors/index.js';
import type { CliContext } from '../context.js';

export function registerResume(program: Command, _ctx: CliContext): void {
  program
    .command('resume')
    .description('reconcile a run journal with the live state, then continue or roll back')
    .argument('<run-id>', 'id of the run (see `drainctl status`)')
    .option('--yes', 'do not ask for confirmation')
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 2 halted in a safe state, 1 error, 3 invalid input.',
    )
    .action(async () => {
      throw new NotAvailableError('resume', 'issue #5');
    });
}
