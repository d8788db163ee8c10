import type { Command } from 'commander';
import { NotAvailableError } from '../../errors/index.js';
import { loadWorkflow } from '../../spec/load.js';
import type { CliContext } from '../context.js';

export function registerPlan(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description('print the runbook drainctl would execute for a workflow; changes nothing')
    .argument('<workflow>', 'workflow YAML file')
    .option('--json', 'print the plan as one JSON document, with its sha256')
    .addHelpText(
      'after',
      '\nExit codes: 0 plan printed, 3 invalid workflow (the message names the file and the path inside it).',
    )
    .action(async (workflow: string) => {
      await loadWorkflow(workflow, process.env);
      ctx.logger.debug({ workflow }, 'workflow read');
      throw new NotAvailableError('planning', 'issue #5');
    });
}
