/**
 * `drainctl serve`: reserved for the chat-ops endpoints and the patch-night scheduler, which are
 * not built. Its help says so, and it exits 1 without listening — whatever flags it is given,
 * so nobody mistakes an unknown-flag error for a server that almost started.
 */
import type { Command } from 'commander';
import { NotAvailableError } from '../../errors/index.js';
import type { CliContext } from '../cli-context.js';

const WHAT = 'chat-ops endpoints, the patch-night scheduler and /metrics';

export function registerServe(program: Command, _ctx: CliContext): void {
  program
    .command('serve')
    .description(`not built yet (starts nothing, exits 1): ${WHAT}`)
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText(
      'after',
      `\nNot built yet: ${WHAT} are planned.\nThis command listens on nothing and exits 1. Run maintenance with \`drainctl run\`.`,
    )
    .action(async () => {
      throw new NotAvailableError(
        'drainctl serve',
        `${WHAT} are planned; nothing was started (use \`drainctl run\`)`,
      );
    });
}
