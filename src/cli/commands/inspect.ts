import type { Command } from 'commander';
import { NotAvailableError } from '../../errors/index.js';
import type { CliContext } from '../context.js';

export function registerInspect(program: Command, _ctx: CliContext): void {
  program
    .command('inspect')
    .description(
      'read-only pre-flight: what drainctl sees live, and a checklist against the workflow',
    )
    .argument('<workflow>', 'workflow YAML file')
    .option('--json', 'print inventory and checklist as one JSON document')
    .addHelpText(
      'after',
      '\nExit codes: 0 every check passes, 2 a check fails, 3 invalid workflow.',
    )
    .action(async () => {
      throw new NotAvailableError('inspect', 'issue #4');
    });
}
