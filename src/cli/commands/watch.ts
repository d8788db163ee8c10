import type { Command } from 'commander';
import { NotAvailableError } from '../../errors/index.js';
import type { CliContext } from '../context.js';

export function registerWatch(program: Command, _ctx: CliContext): void {
  program
    .command('watch')
    .description('stand-alone drain probe: follow an access log until real traffic has stopped')
    .argument('<access-log>', 'path of the access log (nginx combined by default)')
    .option('--format <format>', 'combined, json, or an nginx log_format string', 'combined')
    .option('--quiet <seconds>', 'seconds without a real request that count as drained', '30')
    .option('--timeout <seconds>', 'give up after this many seconds', '600')
    .option(
      '--ignore-cidr <cidr...>',
      'sources that are not real traffic (default: 100.64.0.0/10, the SLB health checkers)',
    )
    .option('--json', 'print the timeline as one JSON document')
    .addHelpText('after', '\nExit codes: 0 drained, 4 timed out, 3 invalid input.')
    .action(async () => {
      throw new NotAvailableError('watch', 'issue #6');
    });
}
