import type { Command } from 'commander';
import { NotAvailableError } from '../../errors/index.js';
import type { CliContext } from '../context.js';

export function registerDemo(program: Command, _ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'rolling kernel patch on the emulator under live load, with a report (what `npm start` runs)',
    )
    .option('--json', 'print the report as one JSON document')
    .option(
      '--no-drain',
      'reboot without draining, to show the failed requests a naive patch night causes',
    )
    .action(async () => {
      throw new NotAvailableError('the demo', 'issue #7');
    });
}
