/**
 * `drainctl serve --config serve.yaml [--port N] [--host H]`: the HTTP API (docs/serve.md). The
 * first line on stdout is `listening=http://HOST:PORT`; then each run left unfinished in
 * DRAINCTL_HOME, one line each (resumed only when an operator asks). SIGINT/SIGTERM: accept
 * nothing new, stop the runs in progress safely, exit 0.
 */
import type { Command } from 'commander';
import { describeUnfinishedRun } from '../../app/index.js';
import { ensureWritableHome } from '../../config/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { startServe } from '../../serve/index.js';
import type { CliContext } from '../cli-context.js';

interface ServeFlags {
  config: string;
  port: string;
  host: string;
}

export const DEFAULT_PORT = 8787;

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('HTTP API for runs (start, abort, resume, status, events) and /metrics')
    .requiredOption('--config <file>', 'serve.yaml: catalog of workflows, API tokens, …')
    .option('--port <n>', 'TCP port (0: any free port)', String(DEFAULT_PORT))
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .addHelpText(
      'after',
      '\nThe first line on stdout is listening=http://HOST:PORT. SIGINT/SIGTERM stop the runs in\nprogress safely (every node serving or named) and exit 0. See docs/serve.md and docs/deploy.md.',
    )
    .action(async (flags: ServeFlags) => {
      const port = Number(flags.port);
      if (!/^\d+$/.test(flags.port) || port > 65_535) {
        throw new InvalidInputError(`--port: expected 0 to 65535, found "${flags.port}"`, {
          path: '--port',
          expected: 'a port number from 0 to 65535 (0: any free port)',
          found: flags.port,
        });
      }
      const environment = ctx.environment();
      ensureWritableHome(environment.home);
      const serve = await startServe({
        configFile: flags.config,
        host: flags.host,
        port,
        home: environment.home,
        environment,
        env: process.env,
        cwd: process.cwd(),
        logger: ctx.logger,
      });
      ctx.stdout.line(`listening=${serve.url}`);
      for (const run of serve.unfinished) {
        const line = `unfinished: ${describeUnfinishedRun(run)} (POST /api/runs/${run.runId}/resume)`;
        ctx.stdout.line(line);
        ctx.logger.warn({ runId: run.runId }, line);
      }
      for (const run of serve.unreadable) {
        ctx.logger.warn({ runId: run.runId }, `run ${run.runId} cannot be read: ${run.problem}`);
      }
      const signal = await stopSignal(ctx.signal);
      ctx.logger.info(`received ${signal}: stopping runs in progress safely`);
      await serve.shutdown(signal);
      ctx.logger.info('stopped');
    });
}

/** Resolves with the signal's name once the CLI's stop signal fires. */
function stopSignal(signal: AbortSignal): Promise<string> {
  const name = () => /(SIG[A-Z]+)/.exec(String(signal.reason))?.[1] ?? 'a stop signal';
  if (signal.aborted) return Promise.resolve(name());
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(name()), { once: true }),
  );
}
