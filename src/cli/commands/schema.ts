/**
 * `drainctl schema [workflow|serve]`: the JSON Schema of workflow files (the same text is
 * committed as workflows/workflow.schema.json; a unit test fails when it is stale) or of
 * `serve.yaml`, for editors. The serve schema is imported only when asked for: no other
 * command loads src/serve.
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../../errors/index.js';
import { workflowJsonSchemaText } from '../../workflow/index.js';
import type { CliContext } from '../cli-context.js';

export function registerSchema(program: Command, ctx: CliContext): void {
  program
    .command('schema')
    .description('print the JSON Schema of workflow files or of serve.yaml (for editors)')
    .argument('[kind]', 'workflow (default) or serve')
    .addHelpText(
      'after',
      '\nUse it from an editor: start a workflow with\n  # yaml-language-server: $schema=./workflow.schema.json\nafter `drainctl schema > workflow.schema.json` (serve.yaml: `drainctl schema serve`).',
    )
    .action(async (kind: string | undefined) => {
      if (kind === undefined || kind === 'workflow') {
        ctx.stdout.constant(workflowJsonSchemaText().trimEnd());
        return;
      }
      if (kind === 'serve') {
        const { serveJsonSchemaText } = await import('../../serve/config/index.js');
        ctx.stdout.constant(serveJsonSchemaText().trimEnd());
        return;
      }
      throw new InvalidInputError(`schema: expected workflow or serve, found "${kind}"`, {
        path: 'kind',
        expected: 'workflow or serve',
        found: kind,
      });
    });
}
