/**
 * `drainctl schema`: the JSON Schema of workflow files, for editors. The same text is committed
 * as workflows/workflow.schema.json (a unit test fails when it is stale).
 */
import type { Command } from 'commander';
import { workflowJsonSchemaText } from '../../workflow/index.js';
import type { CliContext } from '../cli-context.js';

export function registerSchema(program: Command, ctx: CliContext): void {
  program
    .command('schema')
    .description('print the JSON Schema of workflow files (for editors)')
    .addHelpText(
      'after',
      '\nUse it from an editor: start a workflow with\n  # yaml-language-server: $schema=./workflow.schema.json\nafter `drainctl schema > workflow.schema.json`.',
    )
    .action(async () => {
      ctx.stdout.constant(workflowJsonSchemaText().trimEnd());
    });
}
