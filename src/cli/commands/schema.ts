import type { Command } from 'commander';
import { NotAvailableError } from '../../errors/index.js';
import type { CliContext } from '../context.js';

export function registerSchema(program: Command, _ctx: CliContext): void {
  program
    .command('schema')
    .description('print the JSON Schema of workflow files (for editors)')
    .action(async () => {
      throw new NotAvailableError('schema', 'issue #5');
    });
}
