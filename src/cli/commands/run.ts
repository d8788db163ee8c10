import type { Command } from 'commander';
import { NotAvailableError } from '../../errors/index.js';
import type { CliContext } from '../context.js';

export function registerRun(program: Command, _ctx: CliContext): void {
  program
    .command('run')
    .description('execute a workflow: drain, patch, reboot, verify and restore, batch by batch')
    .argument('<workflow>', 'workflow YAML file')
    .option('--yes', 'do not ask for confirmation (required when stdin is not a TTY)')
    .option('--json', 'print the run report as one JSON document')
    .addHelpText(
      'after',
      '\nExit codes: 0 done, 2 halted in a safe state (see `drainctl status`), 1 error, 3 invalid input.',
    )
    .action(async () => {
      throw new NotAvailableError('run', 'issue #5');
    });
}
