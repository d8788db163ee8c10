/**
 * `drainctl emulator`: the local Alibaba Cloud emulator (src/app/emulator.ts) until SIGINT or
 * SIGTERM, its endpoint on stdout and how to point drainctl at it on stderr.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  type Emulator,
  type ExampleReceivers,
  startExampleReceivers,
  startLocalEmulator,
} from '../../app/index.js';
import { InvalidInputError } from '../../errors/index.js';
import type { CliContext } from '../cli-context.js';

interface EmulatorOptions {
  port: string;
  topology?: string;
  state?: string;
  rateLimits?: string;
  /** `--no-receivers` makes it false. */
  receivers: boolean;
  receiversPort?: string;
}

export function registerEmulator(program: Command, ctx: CliContext): void {
  program
    .command('emulator')
    .description('run the local Alibaba Cloud emulator (SLB, Alidns, ECS) until SIGINT/SIGTERM')
    .option('--port <port>', 'port of the API endpoint (0 picks a free one)', '8080')
    .option('--topology <file>', 'YAML topology (instances, domains) instead of the default')
    .option('--state <dir>', 'directory for access logs and state', './.drainctl/emulator')
    .option(
      '--rate-limits <limits>',
      'enforce per-action API quotas (Throttling.User above them): documented, or Action=CALLS/SECONDS,…',
    )
    .option(
      '--receivers-port <port>',
      'first of five ports for the mock chat receivers (dingtalk, feishu, wecom, slack, webhook): default the five after --port (free ones with --port 0)',
    )
    .option('--no-receivers', 'do not start the mock chat receivers')
    .addHelpText(
      'after',
      '\nPrints endpoint=http://127.0.0.1:PORT on stdout when ready, then receiver.TYPE=URL for each mock receiver.',
    )
    .action(async (options: EmulatorOptions) => {
      const receiversPort = receiversPortOf(options);
      const emulator = await start(options);
      let receivers: ExampleReceivers | undefined;
      try {
        if (receiversPort !== undefined) receivers = await startExampleReceivers(receiversPort);
        ctx.stdout.line(`endpoint=${emulator.endpoint}`);
        for (const [type, url] of Object.entries(receivers?.urls ?? {})) {
          ctx.stdout.line(`receiver.${type}=${url}`);
        }
        describe(emulator, ctx);
        if (receivers !== undefined) describeReceivers(ctx);
        await untilAborted(ctx.signal);
      } finally {
        await receivers?.close();
        await emulator.close();
        ctx.stderr.line('emulator stopped');
      }
    });
}

function parsePort(value: string, option = '--port'): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new InvalidInputError(`${option} must be a port number (0–65535), found "${value}"`, {
      path: option,
      expected: 'an integer 0–65535',
      found: value,
    });
  }
  return port;
}

function start(options: EmulatorOptions): Promise<Emulator> {
  const port = parsePort(options.port);
  return startLocalEmulator({
    port,
    ...(options.topology === undefined ? {} : { topologyFile: options.topology }),
    stateDir: resolve(options.state ?? './.drainctl/emulator'),
    ...(options.rateLimits === undefined ? {} : { rateLimits: options.rateLimits }),
  });
}

function describe(emulator: Emulator, ctx: CliContext): void {
  const { stderr } = ctx;
  const state = emulator.state();
  stderr.line(`Alibaba Cloud emulator (${emulator.region}), addresses ${emulator.subnet}`);
  for (const instance of state.instances) {
    stderr.line(`  ${instance.id}  ${instance.app}  ${instance.status}  kernel ${instance.kernel}`);
  }
  stderr.line(
    `  DNS server (UDP) ${state.dns}: ${state.records.map((r) => `${r.name} ${r.type} ${r.value}`).join(', ')}`,
  );
  stderr.line(`  state and access logs in ${emulator.stateDir}`);
  stderr.line('Point drainctl at it (credentials: the emulator key pair of .env.example):');
  stderr.line(`  export DRAINCTL_CLOUD_ENDPOINT=${emulator.endpoint}`);
  stderr.line('Stop with Ctrl-C.');
}

/** The receivers' first port: asked for, or right after the cloud's (free ones beside port 0). */
function receiversPortOf(options: EmulatorOptions): number | undefined {
  if (!options.receivers) return undefined;
  if (options.receiversPort !== undefined) {
    return parsePort(options.receiversPort, '--receivers-port');
  }
  const port = parsePort(options.port);
  return port === 0 ? 0 : port + 1;
}

function describeReceivers(ctx: CliContext): void {
  ctx.stderr.line(
    'Mock chat receivers (receiver.TYPE=URL above; token and signing secret of .env.example) record',
  );
  ctx.stderr.line('what drainctl sends them: GET <receiver>/_admin/messages (docs/emulator.md).');
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((done) => signal.addEventListener('abort', () => done(), { once: true }));
}
