import type { Command } from 'commander';
import { NotAvailableError } from '../../errors/index.js';
import type { CliContext } from '../context.js';

export function registerStatus(program: Command, _ctx: CliContext): void {
  program
    .command('status')
    .description('show the state of a run, node by node (default: the latest run)')
    .argument('[run-id]', 'id of the run')
    .option('--json', 'print the status as one JSON document')
    .action(async () => {
      throw new NotAvailableError('status', 'issue #5');
    });
}
