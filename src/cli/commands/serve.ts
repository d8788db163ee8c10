import type { Command } from 'commander';
import { NotAvailableError } from '../../errors/index.js';
import type { CliContext } from '../context.js';

export function registerServe(program: Command, _ctx: CliContext): void {
  program
    .command('serve')
    .description('chat-ops endpoints, the patch-night scheduler, /metrics and /healthz')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8787')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .action(async () => {
      throw new NotAvailableError('serve', 'a later issue');
    });
}
