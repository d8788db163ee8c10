import type { Command } from 'commander';
import { NotAvailableError } from '../../errors/index.js';
import type { CliContext } from '../context.js';

export function registerEmulator(program: Command, _ctx: CliContext): void {
  program
    .command('emulator')
    .description('run the local Alibaba Cloud emulator (SLB, Alidns, ECS) until SIGINT/SIGTERM')
    .option('--port <port>', 'port of the API endpoint (0 picks a free one)', '8080')
    .option('--topology <file>', 'YAML topology (instances, domains) instead of the default')
    .option('--state <dir>', 'directory for access logs and state')
    .addHelpText('after', '\nPrints endpoint=http://127.0.0.1:PORT on stdout when ready.')
    .action(async () => {
      throw new NotAvailableError('the emulator', 'issue #3');
    });
}
