/**
 * `drainctl demo [--json] [--no-drain]`: what `npm start` runs. Exit 0 only when no request
 * failed and every promise held; 2 when the run halted; 1 otherwise (always, with --no-drain,
 * whose point is to show the failures a naive patch night causes).
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { formatDemoReport, runDemo } from '../../app/index.js';
import { ensureWritableHome } from '../../config/index.js';
import { ExitCode } from '../../errors/index.js';
import { createLogger } from '../../log/index.js';
import type { CliContext } from '../cli-context.js';
import { demoView, progressMode } from '../live-progress.js';

interface DemoFlags {
  json?: boolean;
  drain: boolean;
}

export function registerDemo(program: Command, ctx: CliContext): void {
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
    .addHelpText(
      'after',
      '\nEverything runs on this machine: a local Alibaba Cloud emulator on loopback, simulated servers,\n' +
        'and client load. Exit codes: 0 no request failed and every promise held, 2 the run halted, 1 otherwise.',
    )
    .action(async (flags: DemoFlags) => {
      const home = join(ctx.environment().home, 'demo');
      ensureWritableHome(home);
      const viewStream = flags.json ? process.stderr : process.stdout;
      const out = flags.json ? ctx.stderr : ctx.stdout;
      const style = (kind: 'ok' | 'bad' | 'bold' | 'dim', text: string) =>
        out.style(
          kind === 'ok' ? 'green' : kind === 'bad' ? 'red' : kind === 'bold' ? 'bold' : 'dim',
          text,
        );
      // The live view owns the terminal; the engine's routine log lines would scroll it away.
      const logger = ctx.verbose ? ctx.logger : createLogger({ level: 'warn' });
      const report = await runDemo({
        drain: flags.drain,
        home,
        logger,
        signal: ctx.signal,
        view: demoView({
          // --verbose: the engine's log lines would scroll a redrawn frame away.
          mode: progressMode({
            stream: viewStream,
            env: process.env,
            json: false,
            live: !ctx.verbose,
          }),
          stream: viewStream,
          style,
        }),
      });
      if (flags.json) ctx.stdout.json(report);
      else for (const line of formatDemoReport(report, style)) ctx.stdout.line(line);
      ctx.setExitCode(
        report.ok ? ExitCode.ok : report.outcome === 'halted' ? ExitCode.halted : ExitCode.error,
      );
    });
}
